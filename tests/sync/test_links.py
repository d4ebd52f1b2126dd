"""Link header parsing for NRPS/AGS paging (RFC 8288)."""
from sync.links import next_link, parse_links
from sync.roster import with_limit


def test_quoted_next_as_moodle_sends_it():
    header = '<https://lms.example/api/courses/1/memberships?limit=50&from=50>; rel="next"'
    assert next_link(header) == "https://lms.example/api/courses/1/memberships?limit=50&from=50"


def test_unquoted_next_is_accepted():
    assert next_link("<https://lms.example/m?page=2>; rel=next") == "https://lms.example/m?page=2"


def test_several_links_and_relation_types_keep_url_case():
    header = ('<https://LMS.example/M?Page=1>; rel="first", <https://LMS.example/M?Page=3>; rel="next last", '
              '<https://LMS.example/M?since=X>; rel=differences')
    links = parse_links(header)
    assert links["next"] == "https://LMS.example/M?Page=3"
    assert links["last"] == "https://LMS.example/M?Page=3"
    assert links["first"] == "https://LMS.example/M?Page=1"
    assert links["differences"] == "https://LMS.example/M?since=X"


def test_other_parameters_and_case_of_rel():
    header = '<https://lms.example/m?p=2>; title="Next page"; REL="Next"'
    assert next_link(header) == "https://lms.example/m?p=2"


def test_no_next_on_last_page():
    assert next_link(None) is None
    assert next_link("") is None
    assert next_link('<https://lms.example/m?p=1>; rel="prev"') is None


def test_limit_is_always_sent_and_existing_query_kept():
    assert with_limit("https://lms.example/api/m?role=Learner", 100) == "https://lms.example/api/m?role=Learner&limit=100"
    assert with_limit("https://lms.example/api/m?limit=5", 100) == "https://lms.example/api/m?limit=100"
