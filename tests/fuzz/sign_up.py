"""Waits for the service at argv[1], registers an organisation through the
API, submits one notification and finds its confirmation link among the
mail in argv[2]; prints the admin's access token, the notification's
number and the confirmation token, one per line (for .ci/fuzz), so that
the fuzzer reaches the routes that need something to exist."""

import datetime
import email
import email.policy
import json
import pathlib
import re
import sys
import time
import urllib.error
import urllib.request

BASE = sys.argv[1]
MAIL = pathlib.Path(sys.argv[2])
EMAIL = "fuzz-admin@fjordvik.kommune.no"
PASSWORD = "correct horse battery staple"


def call(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


deadline = time.monotonic() + 120
while True:
    try:
        if call("GET", "/health/ready").get("status") == "ok":
            break
    except (urllib.error.URLError, ConnectionError, json.JSONDecodeError):
        pass
    if time.monotonic() > deadline:
        sys.exit("the service was not ready within 120 s")
    time.sleep(0.5)

call(
    "POST",
    "/v1/organisations",
    {
        "name": "Fjordvik kommune",
        "identifier": {"scheme": "no_orgnr", "value": "974761467"},
        "address": {"street": "Postboks 1", "postal_code": "5001", "town": "Bergen", "country": "NO"},
        "admin": {"email": EMAIL, "password": PASSWORD},
    },
)
token = call("POST", "/v1/auth/token", {"grant_type": "password", "username": EMAIL, "password": PASSWORD})[
    "access_token"
]

notification = json.loads(pathlib.Path(__file__).parent.joinpath("../../openapi/examples/notification.json").read_text())
notification["start_date"] = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
number = call("POST", "/v1/notifications", notification, token)["number"]


def confirmation_token():
    for path in MAIL.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found = re.search(r"/confirm/([A-Za-z0-9_-]+)", message.get_body(("plain",)).get_content())
        if found:
            return found.group(1)
    return None


deadline = time.monotonic() + 60
while (confirm := confirmation_token()) is None:
    if time.monotonic() > deadline:
        sys.exit("no confirmation mail within 60 s")
    time.sleep(0.5)

print(token)
print(number)
print(confirm)
