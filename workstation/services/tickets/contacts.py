"""The region's public contacts that every printed document gives the patient."""

from __future__ import annotations

CONTACT_CENTER_PHONE = "8-800-100-86-03"
"""The contact center of «Электронная регистратура» (the manual's «Обратная связь»)."""

PORTAL_ADDRESS = "er.dzhmao.ru"
"""The portal where the patient's personal cabinet is («Вход в личный кабинет»)."""

REGISTRY_TITLE = "Электронная регистратура ХМАО\u00a0–\u00a0Югры"
"""The heading of the credentials slip (no-break spaces keep «ХМАО – Югры» on one line)."""
