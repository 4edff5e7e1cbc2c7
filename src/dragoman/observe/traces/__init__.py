"""Request traces and the usage ledger.

    outcome.py   what a record is, and whether its request failed
    record.py    the trace of one request, built from its `server.exchange.Exchange`
    clients.py   the client family from its user agent (data)
    bodies.py    the bodies kept when `trace_bodies` asks: capped, secrets masked
    tracer.py    per process: the ring, the batches for the database, the live feed
    ledger.py    usage summed per (day, account, model, key, route), and regrouped
    filters.py   what a listing asks (validated), answered from memory
    store.py     writing batches and retention: a SQLite file through `sqlite_writer`
                 (a process of its own, `sqlite_process`), any other database through
                 SQLAlchemy (`engine_writes`)
    query.py     the listings answered from the database

The request path only builds the record and appends it (`Tracer.finish`); everything
that touches the database runs in the tracer's background task or in an admin route.
"""
