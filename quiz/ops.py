"""Operations endpoints: the health check that load balancers and monitors call."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from quiz.extensions import db

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the app can reach its database, 503 otherwise. Public, reveals nothing."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
