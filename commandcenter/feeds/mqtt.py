"""MQTT feed (`kind = "mqtt"`): city sensors' readings from a broker → devices, readings and device alarms.

Topics: `<prefix>/<type>/<device id>` carries a reading (a JSON object, `domain.sensors.SensorMessage`; `id` and
`type` default to the topic's last two levels) and `<prefix>/<type>/<device id>/status` the device's presence,
`online` or `offline` (its last will). The subscription is QoS 1 in a persistent session (clean session off, the
client id names it), and a message is acknowledged only after the batch holding it committed: the broker keeps
whatever the wall had not stored, through a broker restart or the wall's kill -9, and sends it again.

Credentials come from the environment (`username_env`, `password_env`), are registered with the log redaction
and never stored; `mqtts://` uses TLS verified against the system's CAs or `ca_file`.
"""
from __future__ import annotations

import asyncio
import logging
import os
import ssl
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import aiomqtt

from ..config.schema import FeedSection, SensorsSection
from ..domain import InvalidRecord, wirejson
from ..domain.sensors import AlarmRules, GridLocator, Outcome, Sensor, SensorRule, SensorType, decode_message
from ..domain import Alert, TerritoryNode
from . import redact
from .base import Batch, BatchBuilder, FeedBase, FeedError, Sink, utcnow

log = logging.getLogger("commandcenter.feeds.mqtt")

BATCH_MAX = 2000          # messages in one batch (one transaction)
BATCH_WINDOW_S = 0.2      # longest a message waits for its batch to fill
KEEPALIVE_S = 10          # the broker's ping: a dead connection shows within 1.5 of these
HEALTH_PERIOD_S = 5.0
SILENT_CHECK_S = 5.0      # how often silent devices are looked for


def rules_from_config(sensors: SensorsSection) -> dict[SensorType, SensorRule]:
    from ..domain.sensors import DEFAULT_RULES

    out: dict[SensorType, SensorRule] = {}
    for name, r in sensors.rules.items():
        kind = SensorType(name)
        out[kind] = SensorRule(tuple((float(t), int(lv)) for t, lv in r.levels), r.hysteresis, below=r.below,
                               rate=r.rate, rate_level=r.rate_level, incident_level=r.incident_level,
                               category=DEFAULT_RULES[kind].category, title=DEFAULT_RULES[kind].title)
    return out


class MqttFeed(FeedBase):
    """One broker connection; see the module docstring."""

    def __init__(self, section: FeedSection, sensors: SensorsSection | None = None) -> None:
        super().__init__(section, None)
        u = urlsplit(section.url)
        self.tls = u.scheme == "mqtts"
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or (8883 if self.tls else 1883)
        self.client_id = section.client_id or f"commandcenter-{section.name}"
        self.username, self.password, self.credentials_error = self._credentials()
        self.grids = GridLocator()
        self.alarms = AlarmRules()
        self.configure(sensors or SensorsSection())
        self.broker_up = False
        self._last_silent_check = 0.0

    # ---- configuration --------------------------------------------------------------------------------------
    def _credentials(self) -> tuple[str | None, str | None, str]:
        """(user, password, error naming only the variable). Values registered with the log redaction first."""
        values: list[str | None] = []
        for key in ("username_env", "password_env"):
            variable = getattr(self.section, key)
            if not variable:
                values.append(None)
                continue
            value = os.environ.get(variable)
            if value is None or not value:
                return None, None, f"environment variable {variable} ({key}) is not set"
            redact.register_secret(value)
            values.append(value)
        return values[0], values[1], ""

    def _tls_context(self) -> ssl.SSLContext | None:
        if not self.tls:
            return None
        ctx = ssl.create_default_context(cafile=self.section.ca_file or None)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        return ctx

    def configure(self, sensors: SensorsSection) -> None:
        """The config's `[sensors]`: alarm lines per type and when a silent device is offline (before `run`)."""
        self.alarms = AlarmRules(rules_from_config(sensors), source=self.name,
                                 offline_after=timedelta(seconds=sensors.offline_after), grids=self.grids)

    def prime(self, sensors: list[Sensor], alerts: list[Alert], territory: list[TerritoryNode]) -> None:
        """What the store holds, given by the pipeline before `run`: devices, their alarms, the grids."""
        self.grids.update(territory)
        self.alarms.prime(sensors, alerts)

    def territory(self, nodes: list[TerritoryNode]) -> None:
        """Grids committed since (another feed's territory): alarms link to the nearest one."""
        self.grids.update(nodes)

    @property
    def period(self) -> float:
        return HEALTH_PERIOD_S

    def idle_delay(self) -> float:
        return 0.5

    # ---- run ------------------------------------------------------------------------------------------------
    async def _run_once(self, sink: Sink) -> None:
        if self.credentials_error:
            raise FeedError(self.credentials_error)
        client = aiomqtt.Client(
            self.host, self.port, identifier=self.client_id, clean_session=False,
            protocol=aiomqtt.ProtocolVersion.V311, username=self.username, password=self.password,
            tls_context=self._tls_context(), keepalive=KEEPALIVE_S, timeout=self.section.timeout,
            max_inflight_messages=BATCH_MAX)
        # acknowledged only once committed: the broker keeps (and resends) what the wall has not stored. aiomqtt
        # has no switch for it; paho's own is set before connecting, so a session's backlog is covered too
        client._client.manual_ack_set(True)    # noqa: SLF001
        try:
            async with client:
                self.broker_up = True
                self.mark_ok()
                for topic in self.section.topics:
                    await client.subscribe(topic, qos=1)
                await self._pump(client, sink)
        except aiomqtt.MqttError as exc:
            raise FeedError(f"broker {self.host}:{self.port}: {exc}") from None
        finally:
            self.broker_up = False

    async def _pump(self, client: aiomqtt.Client, sink: Sink) -> None:
        it = client.messages.__aiter__()
        pending: asyncio.Task[aiomqtt.Message] | None = None
        try:
            while True:
                taken: list[aiomqtt.Message] = []
                deadline: float | None = None
                while len(taken) < BATCH_MAX:
                    timeout = HEALTH_PERIOD_S if deadline is None else deadline - time.monotonic()
                    if timeout <= 0:
                        break
                    if pending is None:
                        pending = asyncio.ensure_future(it.__anext__())
                    done, _ = await asyncio.wait({pending}, timeout=timeout)
                    if not done:
                        break
                    msg = pending.result()
                    pending = None
                    taken.append(msg)
                    if deadline is None:
                        deadline = time.monotonic() + BATCH_WINDOW_S
                self.mark_ok()      # the broker answers (its keepalive would have ended the iteration otherwise)
                await self._deliver_messages(client, sink, taken)
        finally:
            if pending is not None:
                pending.cancel()

    async def _deliver_messages(self, client: aiomqtt.Client, sink: Sink, taken: list[aiomqtt.Message]) -> None:
        builder = BatchBuilder(self)
        out = Outcome()
        now = utcnow()
        newest: datetime | None = None
        for msg in taken:
            at = self._one(msg, out, builder)
            if at is not None and (newest is None or at > newest):
                newest = at
        if time.monotonic() - self._last_silent_check >= SILENT_CHECK_S:
            self._last_silent_check = time.monotonic()
            self.alarms.silent(now, out)
        batch: Batch = builder.batch
        batch.sensors = out.sensors
        batch.readings = out.readings
        for alarm in out.alerts:
            builder.add("alert", alarm)
        for incident in out.incidents:
            builder.add("incident", incident)
        if newest is not None:
            self.lag_s = max(0.0, (now - newest).total_seconds())
        try:
            await self.deliver(sink, builder, None)
        except BaseException:
            self.alarms.undo(out)
            raise
        for msg in taken:
            if msg.qos > 0:
                client._client.ack(msg.mid, msg.qos)    # noqa: SLF001 - committed: the broker may forget it

    def _one(self, msg: aiomqtt.Message, out: Outcome, builder: BatchBuilder) -> datetime | None:
        """One message into `out` (or the quarantine); the reading's time if it was one."""
        topic = msg.topic.value
        levels = topic.split("/")
        payload = msg.payload if isinstance(msg.payload, bytes | bytearray) else str(msg.payload or "").encode()
        raw = bytes(payload)
        if levels[-1] == "status" and len(levels) >= 3:
            word = raw.strip().decode("utf-8", "replace").lower()
            if word not in ("online", "offline"):
                builder.quarantine("sensor", raw, f"{topic}: expected online or offline", levels[-2])
                return None
            self.alarms.presence(levels[-2], word == "online", utcnow(), out)
            return None
        if len(raw) > self.section.max_bytes:
            builder.quarantine("sensor", raw, f"{topic}: message larger than max_bytes={self.section.max_bytes}")
            return None
        try:
            data = wirejson.loads(raw)
            if not isinstance(data, dict):
                raise InvalidRecord(f"expected a JSON object, got {type(data).__name__}")
            if len(levels) >= 2:
                data.setdefault("id", levels[-1])
                data.setdefault("type", levels[-2])
            reading = decode_message(data)
        except UnicodeDecodeError as exc:
            builder.quarantine("sensor", raw, f"{topic}: not UTF-8 JSON ({exc.reason} at byte {exc.start})",
                               levels[-1] if levels else None)
            return None
        except wirejson.BadJson as exc:
            builder.quarantine("sensor", raw, f"{topic}: not JSON ({exc})", levels[-1] if levels else None)
            return None
        except (InvalidRecord, ValueError) as exc:
            builder.quarantine("sensor", raw, f"{topic}: {exc}", levels[-1] if levels else None)
            return None
        self.alarms.reading(reading, out)
        return reading.at


def new_client_id(prefix: str = "commandcenter") -> str:
    """A client id for a session nobody else uses (tests, one-off tools)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
