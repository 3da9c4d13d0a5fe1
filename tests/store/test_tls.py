"""TLS to PostgreSQL as docs/deploy.md sets it up: `sslmode=verify-full` with the CA in `sslrootcert`, the password
from the environment (PGPASSWORD), on a server made for the test that accepts TLS connections only."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from commandcenter.domain import ActionKind, OperatorAction
from commandcenter.store import Store, StoreError
from tests.support.pg_tls import TlsServer, Unavailable, tls_server

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server() -> Iterator[TlsServer]:
    try:
        with tls_server() as s:
            yield s
    except Unavailable as exc:
        pytest.skip(f"no TLS PostgreSQL server here: {exc}")


@pytest.fixture
def password(server: TlsServer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PGPASSWORD", server.password)     # the password comes from the environment, not the URL
    return server.password


def test_a_store_opens_over_verify_full_tls_with_the_password_from_the_environment(server, password) -> None:
    url = server.url(sslmode="verify-full", sslrootcert=str(server.ca))
    assert "s3cret" not in url
    with Store.open(url) as store:
        with store.engine.connect() as c:
            assert c.exec_driver_sql("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").scalar() is True
        done = store.record_action(OperatorAction(kind=ActionKind.ACKNOWLEDGE, target_kind="incident",
                                                  target_id="e1", actor="王", console="wall", at=datetime.now(UTC)))
        assert store.actions_since(0) == [done]


@pytest.mark.parametrize("params, refusal", [
    ({"sslmode": "verify-full", "sslrootcert": "OTHER"}, "certificate verify failed"),   # a server we do not trust
    ({"sslmode": "disable"}, "reject"),                                                    # no TLS: refused
])
def test_a_server_we_cannot_verify_or_a_plain_connection_is_refused(server, password, params, refusal) -> None:
    params = {k: (str(server.other_ca) if v == "OTHER" else v) for k, v in params.items()}
    with pytest.raises(StoreError, match=refusal):
        Store.open(server.url(**params)).close()


def test_verify_full_checks_the_host_name(server, password) -> None:
    # the certificate names localhost; 127.0.0.1 is the same server under a name the certificate does not hold
    with pytest.raises(StoreError, match="does not match host name|server certificate"):
        Store.open(server.url(host="127.0.0.1", sslmode="verify-full", sslrootcert=str(server.ca))).close()
