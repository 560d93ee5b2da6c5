"""Writing validated records in batches: SQLAlchemy Core inserts of many rows, one transaction per chunk.

A record for a practice that does not exist yet (the whole of a first load) becomes rows of practices,
revisions, tags, outcome metrics, resources and, when published, audit events — the same rows, with the same
values, as `importing.save_record` writes through the ORM (tests/test_import_batch.py compares the databases the
two ways leave). The LEAs a chunk names are read once per chunk and kept as ORM objects, so they are found,
created and updated exactly as `save_record` does it. A record for a practice that already exists (in the
database, or earlier in the same import) goes through `save_record` itself: updates and "unchanged" follow the
one set of rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import func, insert, or_, select

from ..extensions import db
from ..models import LEA, AuditEvent, OutcomeMetric, Practice, Resource, Revision, Tag, User
from ..models.types import utcnow
from ..records import (
    apply_lea_context,
    metric_values,
    numbered_slug,
    resource_values,
    revision_values,
    slug_base,
    tag_values,
)
from ..signals import practice_changed
from ..vetting.workflow import TRANSITIONS

CHUNK = 1000  # records per transaction
IMPORT_PUBLISH = "import_publish"
IMPORT_COMMENT = "imported with --publish"


def sql_lower(dialect: str) -> Callable[[str], str]:
    """The database's lower(): SQLite's folds ASCII letters only."""
    if dialect == "sqlite":
        table = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
        return lambda text: text.translate(table)
    return str.lower


class Chunk:
    """One chunk of validated records written in one transaction. add() each record in order, then write()."""

    def __init__(self, records: Sequence[dict], *, publish: bool, actor: User | None,
                 save_record: Callable[..., str]):
        self.records = records
        self.publish = publish
        self.actor = actor
        self.save_record = save_record
        self.lower = sql_lower(db.session.get_bind().dialect.name)
        self.pending: list[dict] = []  # new practices not yet inserted: {"slug", "lea", "data"}
        self.queued: set[tuple[int, str]] = set()  # (id of the LEA object, lowered title) of those
        self._load(0)

    # ----- what the database already has, for the records from `start` on ----------------------

    def _load(self, start: int) -> None:
        rest = self.records[start:]
        names = sorted({r["lea"]["name"].strip().lower() for r in rest})
        codes = sorted({r["lea"]["cds_code"] for r in rest if r["lea"].get("cds_code")})
        where = [func.lower(LEA.name).in_(names)] + ([LEA.cds_code.in_(codes)] if codes else [])
        self.by_name: dict[str, list[LEA]] = {}  # by the database's lower(name), oldest first
        self.by_code: dict[str, LEA] = {}
        for lea in db.session.execute(select(LEA).where(or_(*where)).order_by(LEA.id)).scalars():
            self._remember(lea)
        titles = sorted({r["title"].strip().lower() for r in rest})
        rows = db.session.execute(
            select(Practice.id, Practice.lea_id, func.lower(Revision.title))
            .join(Revision, Revision.practice_id == Practice.id)
            .where(func.lower(Revision.title).in_(titles))
            .distinct()
        ).all()
        candidates: dict[tuple[int, str], set[int]] = {}
        for practice_id, lea_id, lowered in rows:
            candidates.setdefault((lea_id, lowered), set()).add(practice_id)
        latest: dict[int, str] = {}
        ids = sorted({p for found in candidates.values() for p in found})
        for start_id in range(0, len(ids), 500):
            for practice_id, title in db.session.execute(
                select(Revision.practice_id, Revision.title)
                .where(Revision.practice_id.in_(ids[start_id : start_id + 500]))
                .order_by(Revision.practice_id, Revision.number)
            ):
                latest[practice_id] = title  # the last one by number wins
        # (lea id, wanted title) -> a practice whose latest revision has that title: save_record's _find_practice
        self.existing = {
            key: True for key, found in candidates.items()
            if any(latest[p].strip().lower() == key[1] for p in found)
        }
        bases = sorted({slug_base(r["title"]) for r in rest})
        self.taken = set()
        for i in range(0, len(bases), 500):
            self.taken.update(db.session.execute(
                select(Practice.slug).where(Practice.slug.in_(bases[i : i + 500]))).scalars())

    # ----- one record ----------------------------------------------------------------------------

    def add(self, index: int, data: dict) -> str:
        """Write (or queue) the record at `index` of the chunk; answers created/updated/unchanged."""
        lea = self._lea(data["lea"])
        wanted = data["title"].strip().lower()
        if self._exists(lea, wanted):
            self.write()  # the rows so far first: save_record reads the database
            outcome = self.save_record(data, publish=self.publish, actor=self.actor)
            db.session.flush()
            # Read it back as stored: an amount just given is a float until then, and the "unchanged" check of
            # a later record for this practice compares stored values (Decimal).
            db.session.expire_all()
            self._load(index + 1)
            return outcome
        slug = self._slug(data["title"])
        self.pending.append({"slug": slug, "lea": lea, "data": data})
        if self.lower(data["title"]) == wanted:
            self.queued.add((id(lea), wanted))
        return "created"

    def _lea(self, data: dict) -> LEA:
        """importing._find_or_update_lea, on the chunk's LEAs."""
        lea = self.by_code.get(data["cds_code"]) if data.get("cds_code") else None
        if lea is None:
            key = data["name"].strip().lower()
            lea = next((x for x in self.by_name.get(key, ()) if x.county == data["county"]), None)
        if lea is None:
            lea = LEA(name=data["name"].strip())  # inserted by write()'s flush, in the order created
            db.session.add(lea)
            self._remember(lea)
        code = lea.cds_code
        apply_lea_context(lea, data)
        if lea.cds_code != code:
            if self.by_code.get(code) is lea:
                del self.by_code[code]
            self.by_code.setdefault(lea.cds_code, lea)
        return lea

    def _remember(self, lea: LEA) -> None:
        self.by_name.setdefault(self.lower(lea.name), []).append(lea)
        if lea.cds_code:
            self.by_code.setdefault(lea.cds_code, lea)

    def _exists(self, lea: LEA, wanted: str) -> bool:
        """importing._find_practice finds one: in the database, or queued earlier in this chunk (its only
        revision has the title it was queued with)."""
        if lea.id is not None and self.existing.get((lea.id, wanted)):
            return True
        return (id(lea), wanted) in self.queued

    def _slug(self, title: str) -> str:
        """records.unique_slug, counting the practices queued in this chunk."""
        base = slug_base(title)
        if base not in self.taken:
            self.taken.add(base)
            return base
        taken = set(db.session.execute(select(Practice.slug).where(Practice.slug.like(f"{base}-%"))).scalars())
        slug = numbered_slug(base, taken | self.taken)
        self.taken.add(slug)
        return slug

    # ----- the rows ------------------------------------------------------------------------------

    def write(self) -> None:
        """Insert the queued practices and everything that belongs to them (in the chunk's transaction)."""
        db.session.flush()  # LEAs created or updated
        if not self.pending:
            return
        queued, self.pending = self.pending, []
        self.queued = set()
        session = db.session
        rule = TRANSITIONS[IMPORT_PUBLISH]
        actor_id = self.actor.id if self.actor is not None else None
        now = utcnow()
        practice_ids = session.execute(
            insert(Practice.__table__).returning(Practice.__table__.c.id, sort_by_parameter_order=True),
            [{"slug": p["slug"], "lea_id": p["lea"].id, "created_at": now,
              "published_at": now if self.publish else None, "updated_at": now if self.publish else None}
             for p in queued],
        ).scalars().all()
        revision_ids = session.execute(
            insert(Revision.__table__).returning(Revision.__table__.c.id, sort_by_parameter_order=True),
            [{**revision_values(p["data"]), "practice_id": practice_id, "number": 1,
              "state": rule.target if self.publish else "draft", "version": 1, "author_id": actor_id,
              "draft": None, "created_at": now, "updated_at": now, "submitted_at": None}
             for p, practice_id in zip(queued, practice_ids, strict=True)],
        ).scalars().all()
        tags, metrics, resources, events = [], [], [], []
        for p, practice_id, revision_id in zip(queued, practice_ids, revision_ids, strict=True):
            data = p["data"]
            tags += [{"revision_id": revision_id, "vocabulary": v, "code": c} for v, c in tag_values(data)]
            metrics += [_full(OutcomeMetric, {**row, "revision_id": revision_id}) for row in metric_values(data)]
            resources += [_full(Resource, {**row, "revision_id": revision_id}) for row in resource_values(data)]
            if self.publish:
                events.append({"practice_id": practice_id, "revision_id": revision_id, "actor_id": actor_id,
                               "action": IMPORT_PUBLISH, "from_state": "draft", "to_state": rule.target,
                               "comment": IMPORT_COMMENT, "created_at": now})
        for model, rows in ((Tag, tags), (OutcomeMetric, metrics), (Resource, resources), (AuditEvent, events)):
            if rows:
                session.execute(insert(model.__table__), rows)
        if self.publish:
            for p in queued:
                practice_changed.send(p["slug"])  # search updates its index after the commit


def _full(model, row: dict) -> dict:
    """A row with every column of the model's table named (executemany needs the same keys in each)."""
    return {c.name: row.get(c.name) for c in model.__table__.columns if c.name != "id"}
