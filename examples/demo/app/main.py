"""The demo app: rows from MariaDB as JSON.

The connection comes from the environment (DB_HOST, DB_USER, DB_PASSWORD,
DB_NAME), which tend fills from the INI's `env` lines and from an env_file
of mode 0600 for the password.
"""
import os

import pymysql
from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI(title="tend demo")


def connect():
    return pymysql.connect(
        host=os.environ["DB_HOST"],
        port=int(os.environ.get("DB_PORT", "3306")),
        user=os.environ["DB_USER"],
        password=os.environ["DB_PASSWORD"],
        database=os.environ["DB_NAME"],
        connect_timeout=3,
        cursorclass=pymysql.cursors.DictCursor,
    )


@app.get("/")
def rows():
    try:
        conn = connect()
    except pymysql.MySQLError as e:
        return JSONResponse({"error": f"database unreachable: {e.args[-1]}"}, status_code=503)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id, name FROM items ORDER BY id")
            return {"items": cur.fetchall(), "db_host": os.environ["DB_HOST"]}
    finally:
        conn.close()


@app.get("/health")
def health():
    # Liveness of the app itself: the database being down makes `/` answer
    # 503, but it is no reason to restart the app.
    return {"status": "ok"}
