-- Run once by the postgres image when the data volume is first created (docker-compose.yml).
-- Two roles: semh_owner owns the schema and runs the migrations (the `migrate` service);
-- semh_app is what web, worker and beat log in as. It owns nothing, so it cannot drop or alter
-- tables, disable the audit trail's triggers or delete audit events other than through the
-- retention function. Passwords come from the container's environment.
\set ON_ERROR_STOP on
\getenv owner_password SEMH_DB_OWNER_PASSWORD
\getenv app_password SEMH_DB_APP_PASSWORD

CREATE ROLE semh_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE semh_app LOGIN PASSWORD :'app_password';

-- The database the image creates (POSTGRES_DB); psql names the one it is connected to DBNAME.
ALTER DATABASE :"DBNAME" OWNER TO semh_owner;
ALTER SCHEMA public OWNER TO semh_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO semh_app;

-- Every table and sequence the owner's migrations create, now and later.
ALTER DEFAULT PRIVILEGES FOR ROLE semh_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO semh_app;
ALTER DEFAULT PRIVILEGES FOR ROLE semh_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO semh_app;
