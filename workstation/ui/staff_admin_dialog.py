"""«Администрирование → Сотрудники»: the administrator's list of staff accounts.

A new account and a reset password get a generated temporary password, shown here once for the
administrator to hand over; its owner chooses their own at the next sign-in. Every change runs
on the database worker and is checked there again against the administrator's role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from workstation.models import StaffRole
from workstation.models.base import utc_now
from workstation.services.passwords import WeakPassword, one_time_password
from workstation.services.sms.command import local_time
from workstation.services.staff import (
    ROLE_LABELS,
    Permission,
    SignedInStaff,
    StaffError,
    StaffRow,
    add_staff,
    list_staff,
    require,
    reset_password_by_admin,
    set_active,
    set_role,
)
from workstation.ui.db_worker import DatabaseWorker, describe_error
from workstation.ui.sign_in_dialog import show_message

STAFF_ID_ROLE = Qt.ItemDataRole.UserRole + 1
HEADERS = ("Логин", "ФИО", "Роль", "Состояние", "Последний вход")
LOGIN, NAME, ROLE, STATE, LAST_SIGN_IN = range(len(HEADERS))

AnyIndex = QModelIndex | QPersistentModelIndex


def describe_state(row: StaffRow) -> str:
    """«действует», «отключен», «заблокирован до …», «сменит пароль при входе»."""
    if not row.is_active:
        return "отключен"
    if row.is_locked(utc_now()) and row.locked_until is not None:
        return f"заблокирован до {local_time(row.locked_until)}"
    if row.must_change_password:
        return "сменит пароль при входе"
    return "действует"


class StaffTableModel(QAbstractTableModel):
    """Staff accounts as table rows; ``STAFF_ID_ROLE`` gives the account's id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[StaffRow] = []

    def set_rows(self, rows: list[StaffRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> StaffRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, staff_id: int) -> int:
        """The row of the account, or -1."""
        return next((i for i, row in enumerate(self._rows) if row.id == staff_id), -1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == STAFF_ID_ROLE:
            return row.id
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        match index.column():
            case 0:
                return row.login
            case 1:
                return row.full_name
            case 2:
                return ROLE_LABELS[row.role]
            case 3:
                return describe_state(row)
            case 4:
                return local_time(row.last_sign_in_at) if row.last_sign_in_at else "—"
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None


def _role_combo(parent: QWidget, name: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    for role in (StaffRole.OPERATOR, StaffRole.CLERK, StaffRole.ADMIN):
        combo.addItem(ROLE_LABELS[role], role)
    return combo


class StaffAdminDialog(QDialog):
    """The staff list with add, reset password, disable/enable and change of role."""

    def __init__(
        self, worker: DatabaseWorker, admin: SignedInStaff, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("staffAdminDialog")
        self.setWindowTitle(self.tr("Сотрудники"))
        self._worker = worker
        self._admin = admin
        self._busy = False
        self._select_after_load: int | None = None
        self.model = StaffTableModel(self)

        self.view = QTableView(self)
        self.view.setObjectName("staffView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(
            NAME, QHeaderView.ResizeMode.Stretch
        )

        self.reset_button = QPushButton(self.tr("Сбросить пароль"), self)
        self.reset_button.setObjectName("resetPasswordButton")
        self.active_button = QPushButton(self.tr("Отключить"), self)
        self.active_button.setObjectName("toggleActiveButton")
        self.role_combo = _role_combo(self, "roleCombo")
        self.set_role_button = QPushButton(self.tr("Назначить роль"), self)
        self.set_role_button.setObjectName("setRoleButton")
        selected = QHBoxLayout()
        selected.addWidget(self.reset_button)
        selected.addWidget(self.active_button)
        selected.addStretch(1)
        selected.addWidget(self.role_combo)
        selected.addWidget(self.set_role_button)

        adding = QGroupBox(self.tr("Новый сотрудник"), self)
        self.login_field = QLineEdit(adding)
        self.login_field.setObjectName("newLoginField")
        self.login_field.setMaxLength(64)
        self.name_field = QLineEdit(adding)
        self.name_field.setObjectName("newNameField")
        self.new_role_combo = _role_combo(adding, "newRoleCombo")
        self.add_button = QPushButton(self.tr("Добавить"), adding)
        self.add_button.setObjectName("addStaffButton")
        form = QFormLayout(adding)
        form.addRow(self.tr("Логин:"), self.login_field)
        form.addRow(self.tr("ФИО:"), self.name_field)
        form.addRow(self.tr("Роль:"), self.new_role_combo)
        form.addRow(self.add_button)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("staffMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(selected)
        layout.addWidget(adding)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)
        self.resize(820, 560)

        self.reset_button.clicked.connect(self.reset_password)
        self.active_button.clicked.connect(self.toggle_active)
        self.set_role_button.clicked.connect(self.change_role)
        self.add_button.clicked.connect(self.add)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()
        self.refresh()

    # --- public API -------------------------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        return self._busy

    def selected(self) -> StaffRow | None:
        """The account of the current row."""
        return self.model.row_at(self.view.currentIndex().row())

    def select(self, staff_id: int) -> None:
        row = self.model.row_of(staff_id)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row, 0))

    def refresh(self) -> None:
        """Read the list again (keeps the current account selected)."""
        current = self.selected()
        if current is not None and self._select_after_load is None:
            self._select_after_load = current.id
        admin = self._admin

        def job(session: Session) -> list[StaffRow]:
            require(admin, Permission.MANAGE_STAFF)
            return list_staff(session)

        self._submit(job, self._on_loaded)

    def add(self) -> None:
        """«Добавить»: a new account with a temporary password shown once."""
        login, name = self.login_field.text(), self.name_field.text()
        role = StaffRole(self.new_role_combo.currentData())
        admin, password = self._admin, one_time_password()

        def job(session: Session) -> int:
            require(admin, Permission.MANAGE_STAFF)
            return add_staff(
                session, login, name, role, password, actor=admin.actor(),
                must_change_password=True,
            )

        def done(staff_id: int) -> None:
            self._select_after_load = staff_id
            self.login_field.clear()
            self.name_field.clear()
            self._say(
                self.tr("Сотрудник «{0}» добавлен. Временный пароль: {1} — сообщите его "
                        "сотруднику; при первом входе он задаст свой.")
                .format(login.strip().lower(), password)
            )

        self._submit(job, done, refresh=True)

    def reset_password(self) -> None:
        """«Сбросить пароль»: a temporary password shown once, changed at the next sign-in."""
        row = self.selected()
        if row is None:
            return
        admin, password = self._admin, one_time_password()

        def job(session: Session) -> None:
            reset_password_by_admin(session, admin, row.id, password)

        self._submit(
            job,
            lambda _: self._say(
                self.tr("Временный пароль сотрудника «{0}»: {1} — сообщите его сотруднику; при "
                        "входе он задаст свой.").format(row.login, password)
            ),
            refresh=True,
        )

    def toggle_active(self) -> None:
        """«Отключить» / «Включить» the selected account."""
        row = self.selected()
        if row is None:
            return
        admin, active = self._admin, not row.is_active

        def job(session: Session) -> None:
            set_active(session, admin, row.id, active)

        text = self.tr("Учетная запись «{0}» включена.") if active else self.tr(
            "Учетная запись «{0}» отключена."
        )
        self._submit(job, lambda _: self._say(text.format(row.login)), refresh=True)

    def change_role(self) -> None:
        """«Назначить роль» chosen in the combo box to the selected account."""
        row = self.selected()
        if row is None:
            return
        admin, role = self._admin, StaffRole(self.role_combo.currentData())

        def job(session: Session) -> None:
            set_role(session, admin, row.id, role)

        self._submit(
            job,
            lambda _: self._say(
                self.tr("Сотрудник «{0}»: {1}.").format(row.login, ROLE_LABELS[role])
            ),
            refresh=True,
        )

    # --- internals ----------------------------------------------------------------------------

    def _submit(
        self, job: Callable[[Session], Any], on_result: Callable[[Any], None], *,
        refresh: bool = False,
    ) -> None:
        if self._busy:
            return
        self._set_busy(True)

        def done(result: Any) -> None:
            self._set_busy(False)
            on_result(result)
            if refresh:
                self.refresh()

        self._worker.submit(job, done, self._on_error, owner=self)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.add_button.setEnabled(not busy)
        self._update_buttons()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet("color: #b00020;" if error else "")
        show_message(self.message_label, text)

    def _on_loaded(self, rows: list[StaffRow]) -> None:
        self.model.set_rows(rows)
        if self._select_after_load is not None:
            self.select(self._select_after_load)
            self._select_after_load = None
        self._update_buttons()

    def _on_error(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, StaffError | WeakPassword):
            self._say(error.message, error=True)
        else:
            self._say(self.tr("Не удалось: {0}").format(describe_error(error)), error=True)

    def _update_buttons(self) -> None:
        row = self.selected()
        enabled = row is not None and not self._busy
        for button in (self.reset_button, self.active_button, self.set_role_button):
            button.setEnabled(enabled)
        if row is not None:
            self.active_button.setText(self.tr("Отключить") if row.is_active else
                                       self.tr("Включить"))
            self.role_combo.setCurrentIndex(self.role_combo.findData(row.role))
