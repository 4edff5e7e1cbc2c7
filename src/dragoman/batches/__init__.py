"""Anthropic message batches, served for every upstream.

    wire.py     the API's shapes: ids, the create body checked, a batch as JSON
    store.py    the two tables (SQLAlchemy Core): batches, and each request's state
    runner.py   per process, in the background: claims queued requests and answers them
    answer.py   one request answered through the relay, as a result line

A request is marked `running` (claimed, with an UPDATE ... WHERE state = 'queued', so
one process runs it) before it is sent, and gets its result after the answer. One found
`running` by a later process whose claimer is gone (killed) is never sent again: the
upstream may have answered and billed it, so it is `errored` with a message saying so
(`store.orphans`). Nothing here runs, nor opens the database, until a batch exists.
"""
