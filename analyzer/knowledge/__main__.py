"""`python -m xborder.knowledge`: check every bundled rules file against its schema and remember
that it passed (schemas/bundled-rules.passed), so that loading it need not check it again.
Run it after changing a rules file or a schema; tests/test_schemas.py says when it is due."""

from .schema import PASSED, bundled_dir, record_bundled_rules


def main() -> None:
    (bundled_dir("schemas") / PASSED).write_text(record_bundled_rules(), encoding="utf-8")
    print(f"schemas/{PASSED}: the bundled rules pass their schemas")


if __name__ == "__main__":
    main()
