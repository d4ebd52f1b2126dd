"""The "Tutor" status commission (§3.3 of the tutor-centre recommendations): candidate files,
meetings and immutable decisions that grant or revoke the tutor role in the network."""
