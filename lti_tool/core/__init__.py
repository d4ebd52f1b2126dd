"""What every area shares: the tables of networks, people, courses and grades, and the plumbing under them."""
