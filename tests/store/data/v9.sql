-- A database as dragoman left it before Alembic: the old migration list at version 9
-- (schema_version = 9, no alembic_version), with a row in every table, made by the
-- stores of that release and dumped with sqlite3 `.dump` (tests/store/test_migrations.py).
BEGIN TRANSACTION;
CREATE TABLE account_policies (
	label VARCHAR(128) NOT NULL, 
	priority INTEGER, 
	weight FLOAT, 
	max_concurrent INTEGER, 
	enabled BOOLEAN, 
	updated_at FLOAT NOT NULL, 
	PRIMARY KEY (label)
);
INSERT INTO "account_policies" VALUES('work',2,NULL,NULL,0,1.79661710858815050128e+09);
CREATE TABLE accounts (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	provider VARCHAR(64) NOT NULL, 
	label VARCHAR(128) NOT NULL, 
	auth VARCHAR(16) NOT NULL, 
	api_key TEXT, 
	api_key_env VARCHAR(256), 
	base_url TEXT, 
	dialect VARCHAR(32), 
	models JSON NOT NULL, 
	access_token TEXT, 
	refresh_token TEXT, 
	expires_at FLOAT, 
	account_id VARCHAR(256), 
	email VARCHAR(320), 
	"plan" VARCHAR(64), 
	scopes JSON NOT NULL, 
	created_at FLOAT NOT NULL, 
	refreshed_at FLOAT, 
	extra JSON NOT NULL, 
	UNIQUE (label)
);
INSERT INTO "accounts" VALUES(1,'openai','work','api_key','sk-old-v9-0001',NULL,NULL,NULL,'[]',NULL,NULL,NULL,NULL,NULL,NULL,'[]',1.79661710858055210116e+09,NULL,'{}');
CREATE TABLE local_keys (
	name VARCHAR(64) NOT NULL, 
	digest VARCHAR(64) NOT NULL, 
	prefix VARCHAR(16) NOT NULL, 
	options JSON NOT NULL, 
	created_at FLOAT NOT NULL, 
	expires_at FLOAT, 
	revoked_at FLOAT, 
	updated_at FLOAT NOT NULL, 
	PRIMARY KEY (name), 
	UNIQUE (digest)
);
INSERT INTO "local_keys" VALUES('ci','3abbb1e21ca60ff6e437ce7b76b86fd8b213e850b5f4bddcc635af7bb38d7e1a','dgm_k0Ab','{"rpm": 10}',1.79661710859386825568e+09,NULL,NULL,1.79661710859386825568e+09);
CREATE TABLE message_batch_requests (
	batch_id VARCHAR(64) NOT NULL, 
	custom_id VARCHAR(64) NOT NULL, 
	position INTEGER NOT NULL, 
	queued_at FLOAT NOT NULL, 
	params JSON NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	claimed_by VARCHAR(160), 
	claimed_at FLOAT, 
	result JSON, 
	finished_at FLOAT, 
	PRIMARY KEY (batch_id, custom_id)
);
INSERT INTO "message_batch_requests" VALUES('msgbatch_01lugUHgchVWBxqbSjzuua4W','one',0,1.7966171086502962113e+09,'{"model": "m", "max_tokens": 5, "messages": []}','queued',NULL,NULL,NULL,NULL);
CREATE TABLE message_batches (
	seq INTEGER NOT NULL, 
	id VARCHAR(64) NOT NULL, 
	"key" VARCHAR(64) NOT NULL, 
	created_at FLOAT NOT NULL, 
	expires_at FLOAT NOT NULL, 
	cancel_initiated_at FLOAT, 
	ended_at FLOAT, 
	PRIMARY KEY (seq), 
	UNIQUE (id)
);
INSERT INTO "message_batches" VALUES(1,'msgbatch_01lugUHgchVWBxqbSjzuua4W','',1.7966171086502962113e+09,1.79670350865029621123e+09,NULL,NULL);
CREATE TABLE responses (
	id VARCHAR(64) NOT NULL, 
	created_at FLOAT NOT NULL, 
	"key" VARCHAR(64) NOT NULL, 
	account VARCHAR(128) NOT NULL, 
	kept BOOLEAN NOT NULL, 
	previous_response_id VARCHAR(64), 
	response TEXT NOT NULL, 
	input TEXT NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "responses" VALUES('resp_old',1790000000.0,'','work',0,NULL,'{"id":"resp_old","output":[]}','[{"id":"in_1","role":"user"}]');
CREATE TABLE schema_version (
	id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	applied_by VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "schema_version" VALUES(1,9,'0.1.0');
CREATE TABLE traces (
	seq INTEGER NOT NULL, 
	id VARCHAR(128) NOT NULL, 
	time FLOAT NOT NULL, 
	"key" VARCHAR(64) NOT NULL, 
	client VARCHAR(64), 
	model VARCHAR(256), 
	upstream_model VARCHAR(256), 
	provider VARCHAR(64), 
	account VARCHAR(128) NOT NULL, 
	status INTEGER NOT NULL, 
	failed BOOLEAN NOT NULL, 
	record TEXT NOT NULL, 
	bodies TEXT, 
	PRIMARY KEY (seq)
);
INSERT INTO "traces" VALUES(1,'req-1',1790000000.0,'','codex','gpt-5','gpt-5','codex','alice',200,0,'{"id":"req-1","time":1790000000.0,"key":null,"client":"codex","user_agent":"codex_exec/0.169.0","dialect":"openai_responses","route":"POST /v1/responses","model":"gpt-5","upstream_model":"gpt-5","provider":"codex","account":"alice","reason":"strategy=fill-first","status":200,"stream":true,"ended":"ok","ttfb_ms":80.0,"duration_ms":900.0,"bytes_in":500,"bytes_out":2000,"usage":{"input_uncached":10,"cache_read":90,"cache_write":0,"output":20,"reasoning":5,"input":100,"total":120},"cost":0.25,"cost_estimate":null,"attempts":[],"bodies":null}',NULL);
INSERT INTO "traces" VALUES(2,'req-2',1790000060.0,'ci','codex','gpt-5','gpt-5','codex','alice',200,0,'{"id":"req-2","time":1790000060.0,"key":"ci","client":"codex","user_agent":"codex_exec/0.169.0","dialect":"openai_responses","route":"POST /v1/responses","model":"gpt-5","upstream_model":"gpt-5","provider":"codex","account":"alice","reason":"strategy=fill-first","status":200,"stream":true,"ended":"ok","ttfb_ms":80.0,"duration_ms":900.0,"bytes_in":500,"bytes_out":2000,"usage":{"input_uncached":10,"cache_read":90,"cache_write":0,"output":20,"reasoning":5,"input":100,"total":120},"cost":null,"cost_estimate":null,"attempts":[],"bodies":null}',NULL);
CREATE TABLE "usage_ledger" (
	day VARCHAR(10) NOT NULL, 
	account VARCHAR(128) NOT NULL, 
	model VARCHAR(256) NOT NULL, 
	"key" VARCHAR(64) NOT NULL, 
	route VARCHAR(320) NOT NULL, 
	requests INTEGER NOT NULL, 
	errors INTEGER NOT NULL, 
	input_uncached INTEGER NOT NULL, 
	cache_read INTEGER NOT NULL, 
	cache_write INTEGER NOT NULL, 
	output INTEGER NOT NULL, 
	reasoning INTEGER NOT NULL, 
	unpriced INTEGER NOT NULL, 
	cost FLOAT, 
	baseline_cost FLOAT, 
	compared_cost FLOAT, 
	PRIMARY KEY (day, account, model, "key", route)
);
INSERT INTO "usage_ledger" VALUES('2026-09-21','alice','gpt-5','','',1,0,10,90,0,20,5,0,0.25,NULL,NULL);
INSERT INTO "usage_ledger" VALUES('2026-09-21','alice','gpt-5','ci','',1,0,10,90,0,20,5,0,NULL,NULL,NULL);
CREATE INDEX ix_traces_time ON traces (time);
CREATE INDEX ix_traces_id ON traces (id);
CREATE INDEX ix_responses_created_at ON responses (created_at);
CREATE INDEX ix_message_batch_requests_state ON message_batch_requests (state);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('accounts',1);
COMMIT;
