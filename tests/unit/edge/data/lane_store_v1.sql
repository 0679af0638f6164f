-- A lane store as lanebox made it before numbered migrations (commit b14c3fe, schema 1):
-- a user, an inspection with a seizure, a calibration. Loaded by tests/unit/edge/test_migrations.py.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS "meta" (
   "key" TEXT PRIMARY KEY,
   "value" TEXT
);
INSERT INTO meta VALUES('lane','GBDVR-IN-03');
INSERT INTO meta VALUES('created_at','2026-11-29T13:04:17.744Z');
CREATE TABLE IF NOT EXISTS "events" (
   "seq" INTEGER PRIMARY KEY NOT NULL,
   "id" TEXT NOT NULL,
   "lane" TEXT NOT NULL,
   "type" TEXT NOT NULL,
   "ts" TEXT NOT NULL,
   "actor" TEXT,
   "payload" TEXT NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL
);
INSERT INTO events VALUES(1,'d6ca80e1-1fcf-4ab9-9eca-5df111390d70','GBDVR-IN-03','user.added','2026-11-29T13:04:17.747Z','cli','{"role":"officer","username":"olga"}','0000000000000000000000000000000000000000000000000000000000000000','aa7efa3ced1aba562964b57f60b64af69b5daee4fbaf5a14fb4fd09c4cec052e');
INSERT INTO events VALUES(2,'bc04fffa-cc12-4bbd-8e28-b9e546fe1a58','GBDVR-IN-03','inspection.started','2025-03-01T09:01:00.000Z','olga','{"inspection_id":"insp-1","plate":"AB12CDE"}','aa7efa3ced1aba562964b57f60b64af69b5daee4fbaf5a14fb4fd09c4cec052e','a3226f4093449ca01d988c2dfa6f0505b3c419b7a62331a2572dc4dd2640d397');
INSERT INTO events VALUES(3,'392dd2e0-a4c0-4e10-b440-d906e797ce65','GBDVR-IN-03','inspection.updated','2025-03-01T09:02:00.000Z','olga','{"inspection_id":"insp-1","seal":"S-991"}','a3226f4093449ca01d988c2dfa6f0505b3c419b7a62331a2572dc4dd2640d397','e19a81e903584af2b09dd897703f07c9b368b8d76004862f9da0a76398bc0e49');
INSERT INTO events VALUES(4,'e14def76-f71c-446c-a442-d163c88f1ad6','GBDVR-IN-03','calibration.recorded','2025-03-01T09:03:00.000Z','olga','{"device_id":"scale-1","kind":"daily","passed":true}','e19a81e903584af2b09dd897703f07c9b368b8d76004862f9da0a76398bc0e49','897486a70a651971b27bacc8bbf2d9dd9ecda605b2dbcfacef2e3db47d289523');
INSERT INTO events VALUES(5,'7e77dccf-0c37-4639-8750-d650e689fd3b','GBDVR-IN-03','seizure.recorded','2025-03-01T09:04:00.000Z','olga','{"inspection_id":"insp-1","items":2,"seizure_id":"sz-1"}','897486a70a651971b27bacc8bbf2d9dd9ecda605b2dbcfacef2e3db47d289523','70d4e3f436b78914813dbc709e2a86a8632014889e0c5fcdbcb954db784f76fc');
INSERT INTO events VALUES(6,'352dae07-b035-40b6-82d5-19ee7fb30961','GBDVR-IN-03','inspection.closed','2025-03-01T09:05:00.000Z','olga','{"inspection_id":"insp-1","outcome":"seized"}','70d4e3f436b78914813dbc709e2a86a8632014889e0c5fcdbcb954db784f76fc','20559e045c9ff5dbdcd2d5d7791308b11fba0443a1f530853f866407a7375316');
CREATE TABLE IF NOT EXISTS "inspections" (
   "id" TEXT PRIMARY KEY,
   "lane" TEXT NOT NULL,
   "started_at" TEXT,
   "started_by" TEXT,
   "plate" TEXT,
   "status" TEXT NOT NULL,
   "outcome" TEXT,
   "closed_at" TEXT,
   "updated_at" TEXT NOT NULL,
   "data" TEXT NOT NULL
);
INSERT INTO inspections VALUES('insp-1','GBDVR-IN-03','2025-03-01T09:01:00.000Z','olga','AB12CDE','closed','seized','2025-03-01T09:05:00.000Z','2025-03-01T09:05:00.000Z','{"outcome":"seized","plate":"AB12CDE","seal":"S-991"}');
CREATE TABLE IF NOT EXISTS "seizures" (
   "id" TEXT PRIMARY KEY,
   "inspection_id" TEXT,
   "created_at" TEXT NOT NULL,
   "status" TEXT NOT NULL,
   "data" TEXT NOT NULL
);
INSERT INTO seizures VALUES('sz-1','insp-1','2025-03-01T09:04:00.000Z','open','{"inspection_id":"insp-1","items":2}');
CREATE TABLE IF NOT EXISTS "calibrations" (
   "id" TEXT PRIMARY KEY,
   "device_id" TEXT NOT NULL,
   "at" TEXT NOT NULL,
   "kind" TEXT,
   "passed" INTEGER NOT NULL,
   "due_at" TEXT,
   "data" TEXT NOT NULL
);
INSERT INTO calibrations VALUES('e14def76-f71c-446c-a442-d163c88f1ad6','scale-1','2025-03-01T09:03:00.000Z','daily',1,NULL,'{"device_id":"scale-1","kind":"daily","passed":true}');
CREATE TABLE IF NOT EXISTS "record_events" (
   "record_id" TEXT NOT NULL,
   "seq" INTEGER NOT NULL,
   PRIMARY KEY ("record_id", "seq")
);
INSERT INTO record_events VALUES('insp-1',2);
INSERT INTO record_events VALUES('insp-1',3);
INSERT INTO record_events VALUES('insp-1',5);
INSERT INTO record_events VALUES('sz-1',5);
INSERT INTO record_events VALUES('insp-1',6);
CREATE TABLE IF NOT EXISTS "users" (
   "username" TEXT PRIMARY KEY,
   "role" TEXT NOT NULL,
   "password_hash" TEXT NOT NULL,
   "disabled" INTEGER NOT NULL,
   "created_at" TEXT NOT NULL
);
INSERT INTO users VALUES('olga','officer','$argon2id$v=19$m=8,t=1,p=1$fQ/ec373j3WRwH94p1tEyg$50q//B98QpOznAsWr7gNhA+vfFikKPtdeePPelmBl6k',0,'2026-11-29T13:04:17.747Z');
CREATE TABLE IF NOT EXISTS "sessions" (
   "token_hash" TEXT PRIMARY KEY,
   "username" TEXT NOT NULL,
   "role" TEXT NOT NULL,
   "expires_at" TEXT NOT NULL,
   "created_at" TEXT NOT NULL
);
CREATE UNIQUE INDEX "idx_events_id"
    ON "events" ("id");
CREATE INDEX "idx_events_type_seq"
    ON "events" ("type", "seq");
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE INDEX "idx_inspections_status_updated_at"
    ON "inspections" ("status", "updated_at");
CREATE INDEX "idx_seizures_inspection_id"
    ON "seizures" ("inspection_id");
CREATE INDEX "idx_calibrations_device_id_at"
    ON "calibrations" ("device_id", "at");
CREATE INDEX "idx_sessions_username"
    ON "sessions" ("username");
CREATE INDEX "idx_sessions_expires_at"
    ON "sessions" ("expires_at");
COMMIT;
PRAGMA user_version=1;
