"""«Сменить пароль…»: the signed-in member of staff changes their own password.

The check (the old password, the rules for the new one) and the Argon2id hash run on the
database worker; the plain passwords never leave this dialog and the job that uses them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models.base import utc_now
from workstation.services.journal import Actor
from workstation.services.passwords import WeakPassword
from workstation.services.staff import SignedInStaff, StaffError, change_password
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.sign_in_dialog import message_label, password_field, show_message


class ChangePasswordDialog(QDialog):
    """Old password, the new one twice; ``changed`` after the database took it."""

    def __init__(
        self,
        worker: DatabaseWorker,
        staff: SignedInStaff,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle(self.tr("Смена пароля"))
        self._worker = worker
        self._staff = staff
        self._actor = actor
        self._clock = clock
        self._busy = False
        self.old_field = password_field(self, "oldPassword")
        self.new_field = password_field(self, "newPassword")
        self.repeat_field = password_field(self, "repeatPassword")
        self.message_label = message_label(self, "changePasswordMessage")
        hint = QLabel(
            self.tr("Не меньше 8 символов, буквы и цифры; не совпадает с логином и прежним."),
            self,
        )
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Пользователь:"), QLabel(staff.display_name, self))
        form.addRow(self.tr("Текущий пароль:"), self.old_field)
        form.addRow(self.tr("Новый пароль:"), self.new_field)
        form.addRow(self.tr("Повторите новый пароль:"), self.repeat_field)
        self.buttons = QDialogButtonBox(self)
        change = self.buttons.addButton(self.tr("Сменить"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.tr("Отмена"), QDialogButtonBox.ButtonRole.RejectRole)
        assert change is not None
        change.setDefault(True)
        self.buttons.accepted.connect(self.change)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.old_field.setFocus()

    @property
    def is_busy(self) -> bool:
        """True while the worker checks the passwords."""
        return self._busy

    def change(self) -> None:
        """«Сменить»: the repeat must match, then the database decides."""
        if self._busy:
            return
        old, new = self.old_field.text(), self.new_field.text()
        if not old or not new:
            show_message(self.message_label, self.tr("Введите текущий и новый пароль."))
            return
        if new != self.repeat_field.text():
            show_message(self.message_label, self.tr("Новые пароли не совпадают."))
            self.repeat_field.selectAll()
            self.repeat_field.setFocus()
            return
        staff_id, actor, now = self._staff.id, self._actor, self._clock()

        def job(session: Session) -> StaffError | WeakPassword | None:
            try:
                change_password(session, staff_id, old, new, now=now, actor=actor)
            except (StaffError, WeakPassword) as refused:
                return refused  # returned, not raised: a refusal is an answer, not a failure
            return None

        self._busy = True
        self._worker.submit(job, self._on_result, self._on_error, owner=self)

    def _on_result(self, refused: StaffError | WeakPassword | None) -> None:
        self._busy = False
        if refused is None:
            self.accept()
            return
        show_message(self.message_label, refused.message)
        self.new_field.clear()
        self.repeat_field.clear()
        self.old_field.setFocus()

    def _on_error(self, error: BaseException) -> None:
        self._busy = False
        show_message(
            self.message_label,
            self.tr("Пароль не изменен: {0}. Повторите; если не поможет, обратитесь к "
                    "администратору.").format(describe_error(error)),
        )
