"""The simulated people of bench/load.py (a locustfile; bench/load.py runs it and reads what it leaves).

50 visitors search with facets and read practices; 5 contributors save drafts and submit them through the API
with their tokens; 2 reviewers claim what was submitted and approve it (REVIEWS_REQUIRED=1 publishes it). Each
user sends its requests to one of the nodes (round robin). At the end it writes what it made and every search's
latency with its time to LOAD_CONFIG's "out" file.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import string
import sys
import time
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

CONFIG = json.loads(Path(os.environ["LOAD_CONFIG"]).read_text())
QUERIES = corpus.queries(200)
_node = itertools.cycle(CONFIG["nodes"])
_contributors = itertools.cycle(CONFIG["contributors"])
_reviewers = itertools.cycle(CONFIG["reviewers"])
_numbers = itertools.count(100_000)
waiting: list[int] = []  # submitted, not yet claimed (all users run in this one process)
made: dict[str, list] = {"drafts": [], "submitted": [], "approved": []}
searches: list[tuple[float, float]] = []  # (time it ended, ms)
SEARCHES = {"search api", "search page"}


def unique_word() -> str:
    return "lq" + "".join(random.choices(string.ascii_lowercase, k=8))


@events.request.add_listener
def _timed(name: str, response_time: float, exception, **_) -> None:
    if name in SEARCHES and exception is None:
        searches.append((time.time(), response_time))


@events.quitting.add_listener
def _write(**_) -> None:
    Path(CONFIG["out"]).write_text(json.dumps({"made": made, "searches": searches, "waiting": waiting}))


class Visitor(HttpUser):
    fixed_count = 50
    wait_time = between(1, 3)
    host = CONFIG["nodes"][0]

    def on_start(self) -> None:
        self.client.base_url = next(_node)
        self.seen: list[str] = []

    def _params(self) -> dict:
        query = random.choice(QUERIES)
        params = {"q": query["q"], "sort": query["sort"], "page": query["page"]}
        params.update(query["filters"])
        return params

    @task(5)
    def search_api(self) -> None:
        with self.client.get("/api/v1/search", params=self._params(), name="search api",
                             catch_response=True) as response:
            if response.status_code == 200:
                self.seen = [r["slug"] for r in response.json()["results"]][:5] or self.seen
                response.success()

    @task(2)
    def search_page(self) -> None:
        self.client.get("/search", params=self._params(), name="search page")

    @task(4)
    def practice_page(self) -> None:
        if self.seen:
            self.client.get(f"/practices/{random.choice(self.seen)}", name="practice page")

    @task(1)
    def practice_api(self) -> None:
        if self.seen:
            self.client.get(f"/api/v1/practices/{random.choice(self.seen)}", name="practice api")


class Contributor(HttpUser):
    fixed_count = 5
    wait_time = between(2, 4)
    host = CONFIG["nodes"][0]

    def on_start(self) -> None:
        self.client.base_url = next(_node)
        self.client.headers["Authorization"] = f"Bearer {next(_contributors)}"

    @task
    def write_and_submit(self) -> None:
        word = unique_word()
        record = corpus.practice(next(_numbers))
        record["title"] = f"The {word} practice"
        draft = self.client.post("/api/v1/submissions", json={"title": record["title"]}, name="draft create")
        if draft.status_code != 201:
            return
        revision = draft.json()["id"]
        made["drafts"].append(revision)
        saved = self.client.put(f"/api/v1/submissions/{revision}", json=record, name="draft save")
        if saved.status_code != 200:
            return
        submitted = self.client.post(f"/api/v1/submissions/{revision}/submit", name="submit")
        if submitted.status_code == 200:
            made["submitted"].append([revision, word])
            waiting.append(revision)


class Reviewer(HttpUser):
    fixed_count = 2
    wait_time = between(1, 2)
    host = CONFIG["nodes"][0]

    def on_start(self) -> None:
        self.client.base_url = next(_node)
        self.client.headers["Authorization"] = f"Bearer {next(_reviewers)}"

    @task
    def review(self) -> None:
        if not waiting:
            return
        revision = waiting.pop(0)
        claimed = self.client.post(f"/api/v1/submissions/{revision}/claim", name="claim")
        if claimed.status_code != 200:
            return
        answers = {"scores": {str(n): 4 for n in range(1, 7)},
                   "comments": {str(n): "Clear and well evidenced." for n in range(1, 7)},
                   "recommendation": "approve", "version": claimed.json()["version"]}
        approved = self.client.post(f"/api/v1/submissions/{revision}/reviews", json=answers, name="approve")
        if approved.status_code == 201:
            made["approved"].append([revision, approved.json()["practice"]])
