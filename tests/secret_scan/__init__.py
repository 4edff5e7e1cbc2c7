"""The leak scan: no configured secret in anything the suite saw dragoman produce.

Over the whole session, `record` collects what a user or client could see: every log
record at debug level (as `serve --log-level debug` would write it, through dragoman's
own redacting filter; see `logs`), every HTTP answer of a dragoman app or `serve`
process (`http`), and every CLI output (`commands`, plus what pytest captured of
stdout and stderr). `registry` holds the secrets, registered where the tests mint them
(the fakes' keys and tokens) and harvested from what they configure (`harvest`:
settings, accounts, command lines, environments). After each test, `scan` looks for
every secret in what that test produced; `plugin` fails the run listing each leak.
"""
