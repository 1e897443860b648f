"""Settings → Providers: add, edit and remove servers; keys go to the OS keyring.

Each provider has two tabs: General (name, address, key, model) and Network (proxy, CA bundle,
TLS verification, timeouts). The proxy password, like the key, goes to the keyring only."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.controllers.settings import SettingsController
from desktop.core.errors import ConfabError
from desktop.core.network import (
    PROXY_CUSTOM,
    PROXY_NONE,
    PROXY_SYSTEM,
    NetworkSettings,
    ProxyUrlError,
    Timeouts,
    is_loopback,
    parse_proxy_url,
    strip_credentials,
)
from desktop.core.providers import (
    PRESETS,
    Preset,
    Provider,
    key_problem,
    normalize_base_url,
    normalize_key,
)
from desktop.ui.error_text import detail, explain
from desktop.ui.list_form import ItemIdRole, ListFormDialog

ProviderIdRole = ItemIdRole


def _needs_key(base_url: str) -> bool:
    """A preset's server as the preset says; another one unless it is on this computer."""
    url = normalize_base_url(base_url)
    preset = next((p for p in PRESETS if normalize_base_url(p.base_url) == url), None)
    if preset is not None:
        return preset.needs_key
    return bool(url) and not is_loopback(urlsplit(url).hostname or "")


def _shown_seconds(spin: QSpinBox, seconds: float) -> int:
    return max(spin.minimum(), min(spin.maximum(), int(seconds + 0.5)))


class ProviderDialog(ListFormDialog[Provider]):
    connection_tested = Signal(bool)
    # What the keyring holds for the provider on screen is shown (it is read off the UI thread).
    stored_keys_shown = Signal()

    def __init__(self, settings: SettingsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("providerDialog")
        self.setWindowTitle(self.tr("Providers"))
        self.setMinimumSize(760, 500)
        self._settings = settings

        self.list = QListWidget()
        self.list.setObjectName("providerList")
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setObjectName("addProvider")
        self.add_button.setAutoDefault(False)
        self.add_menu = QMenu(self.add_button)
        for preset in PRESETS:
            label = (
                preset.name
                if preset.needs_key
                else self.tr("{name} (on this computer)").format(name=preset.name)
            )
            action = self.add_menu.addAction(label)
            action.triggered.connect(lambda _=False, p=preset: self.add_preset(p))
        self.add_menu.addSeparator()
        custom = self.add_menu.addAction(self.tr("Other OpenAI-compatible server…"))
        custom.triggered.connect(lambda: self.add_preset(None))
        self.add_button.setMenu(self.add_menu)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName("removeProvider")
        self.remove_button.clicked.connect(self._on_remove_button_clicked)

        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.add_button)
        left_buttons.addWidget(self.remove_button)
        left_buttons.addStretch(1)
        left.addLayout(left_buttons)

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("providerName")
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("providerBaseUrl")
        self.url_edit.setPlaceholderText("https://api.example.com/v1")
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("providerKey")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_note = QLabel()
        self.key_note.setObjectName("keyNote")
        self.key_note.setWordWrap(True)
        self.key_note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.forget_key_button = QPushButton(self.tr("Remove stored key"))
        self.forget_key_button.setObjectName("forgetKey")
        self.forget_key_button.setFlat(True)
        self.forget_key_button.clicked.connect(self._on_forget_key_button_clicked)
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("providerModel")
        self.model_combo.setEditable(True)
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.status = QLabel()
        self.status.setObjectName("providerStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.forget_key_button)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Base URL"), self.url_edit)
        form.addRow(self.tr("API key"), key_row)
        form.addRow("", self.key_note)
        form.addRow(self.tr("Default model"), self.model_combo)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        general = QWidget()
        general_layout = QVBoxLayout(general)
        general_layout.addLayout(form)
        general_layout.addStretch(1)
        self.network_page = self._build_network_page()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("providerTabs")
        self.tabs.addTab(general, self.tr("General"))
        self.tabs.addTab(self.network_page, self.tr("Network"))
        self.form_widget = QWidget()
        right = QVBoxLayout(self.form_widget)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.tabs, 1)
        right.addLayout(test_row)
        # Its own full-width row: a long error wraps here instead of squeezing the tabs.
        right.addWidget(self.status)
        self.empty_hint = QWidget()
        hint_layout = QVBoxLayout(self.empty_hint)
        hint_layout.setContentsMargins(0, 0, 0, 0)
        hint_text = QLabel(
            self.tr(
                "Choose where Confab sends your messages: a cloud service with your API key, or a "
                "server running on this computer."
            )
        )
        hint_text.setWordWrap(True)
        hint_text.setObjectName("providerEmptyHint")
        hint_layout.addWidget(hint_text)
        for preset in PRESETS:
            button = QPushButton(
                preset.name
                if preset.needs_key
                else self.tr("{name} (on this computer)").format(name=preset.name)
            )
            button.setObjectName("presetButton")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, p=preset: self.add_preset(p))
            hint_layout.addWidget(button)
        other = QPushButton(self.tr("Other OpenAI-compatible server…"))
        other.setObjectName("presetButton")
        other.setAutoDefault(False)
        other.clicked.connect(lambda: self.add_preset(None))
        hint_layout.addWidget(other)
        hint_layout.addStretch(1)

        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("saveProvider")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeProviders")
        self.close_button.clicked.connect(self.close)
        self.close_button.setDefault(True)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)

        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        right_column = QVBoxLayout()
        right_column.addWidget(self.empty_hint, 1)
        right_column.addWidget(self.form_widget, 1)
        columns.addLayout(right_column, 5)
        outer = QVBoxLayout(self)
        outer.addLayout(columns, 1)
        outer.addLayout(bottom)

        for edit in (
            self.name_edit,
            self.url_edit,
            self.key_edit,
            self.proxy_url_edit,
            self.proxy_user_edit,
            self.proxy_password_edit,
            self.ca_edit,
        ):
            edit.textEdited.connect(self._on_form_edited)
        self.model_combo.editTextChanged.connect(self._on_form_edited)
        self.proxy_combo.currentIndexChanged.connect(self._on_form_edited)
        self.verify_check.toggled.connect(self._on_form_edited)
        for spin in self.timeout_spins.values():
            spin.valueChanged.connect(self._on_form_edited)
        self._reload_list(None)

    def _build_network_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("networkPage")
        self.proxy_combo = QComboBox()
        self.proxy_combo.setObjectName("proxyMode")
        self.proxy_combo.addItem(self.tr("System proxy"), PROXY_SYSTEM)
        self.proxy_combo.addItem(self.tr("No proxy"), PROXY_NONE)
        self.proxy_combo.addItem(self.tr("Custom proxy"), PROXY_CUSTOM)
        self.proxy_combo.currentIndexChanged.connect(self._on_proxy_combo_current_index_changed)
        self.proxy_note = QLabel()
        self.proxy_note.setObjectName("proxyNote")
        self.proxy_note.setWordWrap(True)
        self.proxy_note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.proxy_url_edit = QLineEdit()
        self.proxy_url_edit.setObjectName("proxyUrl")
        self.proxy_url_edit.setPlaceholderText(self.tr("http://host:3128 or socks5://host:1080"))
        self.proxy_url_edit.editingFinished.connect(self._on_proxy_url_edit_editing_finished)
        self.proxy_user_edit = QLineEdit()
        self.proxy_user_edit.setObjectName("proxyUser")
        self.proxy_user_edit.setPlaceholderText(self.tr("None"))
        self.proxy_password_edit = QLineEdit()
        self.proxy_password_edit.setObjectName("proxyPassword")
        self.proxy_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.forget_proxy_password_button = QPushButton(self.tr("Remove stored password"))
        self.forget_proxy_password_button.setObjectName("forgetProxyPassword")
        self.forget_proxy_password_button.setFlat(True)
        self.forget_proxy_password_button.clicked.connect(
            self._on_forget_proxy_password_button_clicked
        )
        password_row = QHBoxLayout()
        password_row.addWidget(self.proxy_password_edit, 1)
        password_row.addWidget(self.forget_proxy_password_button)

        self.ca_edit = QLineEdit()
        self.ca_edit.setObjectName("caBundle")
        self.ca_edit.setPlaceholderText(self.tr("None: the usual authorities"))
        self.ca_edit.setToolTip(
            self.tr(
                "A PEM file with the certificate authority your network uses (a company proxy "
                "or a server with its own certificate). It is trusted in addition to the usual "
                "ones."
            )
        )
        self.ca_browse_button = QPushButton(self.tr("Browse…"))
        self.ca_browse_button.setObjectName("browseCaBundle")
        self.ca_browse_button.setAutoDefault(False)
        self.ca_browse_button.clicked.connect(self._on_ca_browse_button_clicked)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(self.ca_browse_button)
        self.verify_check = QCheckBox(self.tr("Verify TLS certificates"))
        self.verify_check.setObjectName("verifyTls")
        self.verify_check.toggled.connect(self._on_verify_check_toggled)
        self.tls_warning = QLabel(
            self.tr(
                "⚠ Certificates are not checked for this provider: anyone on the way to the "
                "server can pose as it and read your messages and your API key. Prefer choosing "
                "the server's CA bundle; turn checking off only for a server you control."
            )
        )
        self.tls_warning.setObjectName("tlsWarning")
        self.tls_warning.setWordWrap(True)
        self.tls_warning.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        # Whole seconds in the dialog; a finer value set in settings.json is kept (see
        # _timeouts_from_form).
        self.timeout_spins: dict[str, QSpinBox] = {}
        labels = {
            "connect": (
                self.tr("Connect timeout"),
                self.tr("How long to wait for the connection to the server (or proxy) to open."),
                300,
            ),
            "first_byte": (
                self.tr("First-byte timeout"),
                self.tr(
                    "How long to wait from sending until the reply starts. Reasoning models "
                    "can think for minutes before their first word."
                ),
                3600,
            ),
            "silence": (
                self.tr("Silence timeout"),
                self.tr(
                    "Once the reply is coming in, the longest pause allowed between two pieces."
                ),
                3600,
            ),
        }
        form = QFormLayout(page)
        form.addRow(self.tr("Proxy"), self.proxy_combo)
        form.addRow("", self.proxy_note)
        form.addRow(self.tr("Proxy address"), self.proxy_url_edit)
        form.addRow(self.tr("Proxy user name"), self.proxy_user_edit)
        form.addRow(self.tr("Proxy password"), password_row)
        form.addRow(self.tr("CA bundle"), ca_row)
        form.addRow("", self.verify_check)
        form.addRow("", self.tls_warning)
        for name, (label, tip, maximum) in labels.items():
            spin = QSpinBox()
            spin.setObjectName(f"{name}Timeout")
            spin.setRange(1, maximum)
            spin.setSuffix(self.tr(" s"))
            spin.setToolTip(tip)
            spin.setMaximumWidth(120)
            spin.lineEdit().setTextMargins(5, 0, 0, 0)  # the style sheet's padding misses it
            self.timeout_spins[name] = spin
            form.addRow(label, spin)
            form.labelForField(spin).setToolTip(tip)
        return page

    # ---- public (also used by tests) ------------------------------------------------

    def add_preset(self, preset: Preset | None) -> Provider | None:
        if not self.commit():
            return None  # keep the user's edits and the message saying what is wrong
        name = preset.name if preset else self.tr("Custom server")
        provider = Provider(
            id=self._settings.new_provider_id(name),
            name=name,
            base_url=preset.base_url if preset else "",
            default_model=preset.default_model if preset else "",
        )
        self._settings.save_provider(provider, None)
        self._reload_list(provider.id)
        (self.key_edit if preset is None or preset.needs_key else self.model_combo).setFocus()
        if preset is None:
            self.url_edit.setFocus()
        return provider

    def commit(self) -> bool:
        """Save the form into the current provider. False if it is not valid."""
        if self._current_id is None or not self._dirty:
            return True
        provider = self._settings.provider(self._current_id)
        if provider is None:
            return True
        url = self.url_edit.text().strip()
        if not url.startswith(("http://", "https://")):
            self.tabs.setCurrentIndex(0)
            self._show_status(
                self.tr("The base URL must start with http:// or https://."), error=True
            )
            return False
        network = self._network_from_form(provider.network)
        if network is None:
            return False
        updated = Provider(
            id=provider.id,
            name=self.name_edit.text().strip() or provider.name,
            base_url=url,
            default_model=self.model_combo.currentText().strip(),
            models=provider.models,
            extra=provider.extra,
            network=network,
        )
        key = self._typed_key()
        if key is None:
            return False
        password = self.proxy_password_edit.text()
        self._settings.save_provider(updated, key if key else None, password if password else None)
        self._dirty = False
        self.key_edit.clear()
        self.proxy_password_edit.clear()
        self._reload_list(updated.id)
        self._show_status(self.tr("Saved."))
        return True

    def test_connection(self) -> None:
        """Try the form as it is, saved or not: address, key and network settings."""
        url = self.url_edit.text().strip()
        typed = self._typed_key()
        if typed is None:
            return
        provider = self._settings.provider(self._current_id)
        network = self._network_from_form(provider.network if provider else NetworkSettings())
        if network is None:
            return
        self._show_status(self.tr("Connecting…"))
        self.test_button.setEnabled(False)
        self._tasks.spawn(
            self._test(url, typed, self._current_id, network, self.proxy_password_edit.text())
        )

    # ---- internals -----------------------------------------------------------------

    async def _test(
        self,
        url: str,
        typed_key: str,
        provider_id: str | None,
        network: NetworkSettings,
        typed_password: str,
    ) -> None:
        """Test with what is typed, else what is stored (read off the UI thread)."""
        try:
            key = typed_key or (await self._settings.api_key(provider_id) if provider_id else None)
            proxy_password = typed_password or (
                await self._settings.proxy_password(provider_id)
                if provider_id and network.proxy == PROXY_CUSTOM and network.proxy_user
                else None
            )
            models = await self._settings.fetch_models(url, key, network, proxy_password)
        except ConfabError as exc:
            self._show_status(
                explain(exc) + ("\n" + detail(exc) if detail(exc) else ""), error=True
            )
            self.connection_tested.emit(False)
        else:
            if provider_id is not None:
                self._settings.remember_models(provider_id, models)
            if provider_id != self._current_id:
                return  # the user moved on to another provider meanwhile
            self._show_status(self.tr("Connected. The server offers %n model(s).", "", len(models)))
            current = self.model_combo.currentText()
            self.model_combo.blockSignals(True)
            self.model_combo.clear()
            self.model_combo.addItems(models)
            self.model_combo.setEditText(current or (models[0] if models else ""))
            self.model_combo.blockSignals(False)
            if not current and models:
                self._dirty = True
            self.connection_tested.emit(True)
        finally:
            self.test_button.setEnabled(True)

    def _list_items(self) -> list[QListWidgetItem]:
        items = []
        for provider in self._settings.providers():
            item = QListWidgetItem(provider.name)
            item.setData(ProviderIdRole, provider.id)
            items.append(item)
        return items

    def _find_item(self, item_id: str | None) -> Provider | None:
        return self._settings.provider(item_id)

    def _fill_form(self, provider: Provider) -> None:
        self.name_edit.setText(provider.name)
        self.url_edit.setText(provider.base_url)
        self.key_edit.clear()
        # Whether a key is stored is known once the keyring thread has looked (at once,
        # unless the keyring is locked): until then, what a provider without one shows.
        self._show_key_placeholder(provider, stored=False)
        self._tasks.spawn(self._show_stored_key(provider.id))
        self.model_combo.clear()
        self.model_combo.addItems(provider.models)
        self.model_combo.setEditText(provider.default_model)
        self._show_network(provider)
        self._update_key_note()

    def _remove_item(self, item_id: str) -> None:
        self._settings.remove_provider(item_id)

    def _show_network(self, provider: Provider) -> None:
        network = provider.network
        self.proxy_combo.setCurrentIndex(max(0, self.proxy_combo.findData(network.proxy)))
        self.proxy_url_edit.setText(network.proxy_url)
        self.proxy_user_edit.setText(network.proxy_user)
        self.proxy_password_edit.clear()
        self._update_password_placeholder()
        self.ca_edit.setText(network.ca_bundle)
        self.verify_check.setChecked(network.verify_tls)
        for name, spin in self.timeout_spins.items():
            spin.setValue(_shown_seconds(spin, getattr(network.timeouts, name)))
        self._update_network_state()

    async def _show_stored_key(self, provider_id: str) -> None:
        stored = await self._settings.api_key(provider_id) is not None
        provider = self._settings.provider(provider_id)
        if provider is None or provider_id != self._current_id:
            return  # the user moved on meanwhile
        self._show_key_placeholder(provider, stored=stored)
        self._update_key_note()  # the read may have found the keyring missing
        self.stored_keys_shown.emit()

    def _show_key_placeholder(self, provider: Provider, *, stored: bool) -> None:
        self.key_edit.setPlaceholderText(
            self.tr("Stored in the system keyring — type to replace")
            if stored
            else self.tr("Paste the API key from your account")
            if _needs_key(provider.base_url)
            else self.tr("None (fine for local servers)")
        )
        self.forget_key_button.setVisible(stored)

    def _update_password_placeholder(self) -> None:
        self.forget_proxy_password_button.setVisible(False)
        self.proxy_password_edit.setPlaceholderText(self.tr("None"))
        if self._current_id is not None:
            self._tasks.spawn(self._show_stored_password(self._current_id))

    async def _show_stored_password(self, provider_id: str) -> None:
        stored = await self._settings.proxy_password(provider_id) is not None
        if provider_id != self._current_id:
            return
        self.proxy_password_edit.setPlaceholderText(
            self.tr("Stored in the system keyring — type to replace") if stored else self.tr("None")
        )
        self.forget_proxy_password_button.setVisible(stored)
        self.stored_keys_shown.emit()

    def _update_network_state(self) -> None:
        mode = self.proxy_combo.currentData()
        for widget in (self.proxy_url_edit, self.proxy_user_edit, self.proxy_password_edit):
            widget.setEnabled(mode == PROXY_CUSTOM)
        if mode == PROXY_CUSTOM:
            note = self.tr(
                "Every request of this provider goes through this HTTP or SOCKS5 proxy. The "
                "password is kept in your system keyring."
            )
        elif mode == PROXY_NONE:
            note = self.tr("Connects directly, whatever the system's proxy settings say.")
        else:
            note = self.tr(
                "Uses the system's proxy settings (or HTTP_PROXY, HTTPS_PROXY and NO_PROXY). "
                "Servers on this computer are always reached directly."
            )
        self.proxy_note.setText(note)
        verify = self.verify_check.isChecked()
        self.tls_warning.setVisible(not verify)
        self.ca_edit.setEnabled(verify)
        self.ca_browse_button.setEnabled(verify)

    def _form_error(self, message: str, field: QWidget) -> None:
        self.tabs.setCurrentWidget(self.network_page)
        field.setFocus()
        self._show_status(message, error=True)

    def _take_proxy_credentials(self) -> None:
        """A pasted ``http://user:password@host:port``: the credentials move to their own
        fields (the password to the keyring, on saving), the address keeps neither."""
        text = self.proxy_url_edit.text()
        if "@" not in text:
            return
        try:
            proxy = parse_proxy_url(text)
        except ProxyUrlError:
            self.proxy_url_edit.setText(strip_credentials(text))
            return
        self.proxy_url_edit.setText(proxy.url)
        if proxy.user:
            self.proxy_user_edit.setText(proxy.user)
        if proxy.password:
            self.proxy_password_edit.setText(proxy.password)
        self._on_form_edited()

    def _network_from_form(self, previous: NetworkSettings) -> NetworkSettings | None:
        """The Network tab as settings; None (and a message saying what to fix) if invalid."""
        self._take_proxy_credentials()
        mode = self.proxy_combo.currentData()
        proxy_url = self.proxy_url_edit.text().strip()
        if mode == PROXY_CUSTOM:
            if not proxy_url:
                self._form_error(
                    self.tr(
                        "Type the proxy address, for example http://proxy.example.com:3128 or "
                        "socks5://127.0.0.1:1080."
                    ),
                    self.proxy_url_edit,
                )
                return None
            try:
                proxy_url = parse_proxy_url(proxy_url).url
            except ProxyUrlError as exc:
                messages = {
                    "scheme": self.tr(
                        "The proxy address must start with http://, https://, socks5:// or "
                        "socks5h://."
                    ),
                    "host": self.tr("The proxy address has no host name."),
                    "port": self.tr(
                        "The proxy address needs a port number, for example "
                        "http://proxy.example.com:3128."
                    ),
                }
                self._form_error(messages.get(exc.reason, messages["host"]), self.proxy_url_edit)
                return None
        ca_bundle = self.ca_edit.text().strip()
        # With checking off the bundle is not used (its field is disabled): nothing to check.
        if ca_bundle and self.verify_check.isChecked():
            problem = self._settings.check_ca_bundle(ca_bundle)
            if problem is not None:
                messages = {
                    "missing": self.tr("The CA bundle file does not exist: {path}"),
                    "unreadable": self.tr("The CA bundle file cannot be read: {path}"),
                    "not_pem": self.tr(
                        "The CA bundle is not a PEM certificate file (text with "
                        '"-----BEGIN CERTIFICATE-----"): {path}'
                    ),
                }
                self._form_error(
                    messages.get(problem, messages["unreadable"]).format(path=ca_bundle),
                    self.ca_edit,
                )
                return None
        return NetworkSettings(
            proxy=str(mode),
            proxy_url=strip_credentials(proxy_url),
            proxy_user=self.proxy_user_edit.text().strip(),
            ca_bundle=ca_bundle,
            verify_tls=self.verify_check.isChecked(),
            timeouts=self._timeouts_from_form(previous.timeouts),
            extra=previous.extra,
        )

    def _timeouts_from_form(self, previous: Timeouts) -> Timeouts:
        def value(name: str) -> float:
            spin = self.timeout_spins[name]
            old = float(getattr(previous, name))
            # A finer value from settings.json (0.5 s) is shown rounded: keep it unless changed.
            return old if spin.value() == _shown_seconds(spin, old) else float(spin.value())

        return Timeouts(
            connect=value("connect"),
            first_byte=value("first_byte"),
            silence=value("silence"),
            write=previous.write,
        )

    def _typed_key(self) -> str | None:
        """The key typed or pasted, without the quotes, spaces, zero-width characters or
        "Bearer " around it ("" when there is none); None, and a message saying why, when it
        holds a character that cannot be sent in a header (nothing is saved or sent then)."""
        key = normalize_key(self.key_edit.text())
        problem = key_problem(key)
        if problem is None:
            return key
        if problem.visible:
            message = self.tr(
                "This API key cannot be sent to a server: character {position} is “{char}” "
                "({code}), and a key holds only plain letters, digits and punctuation "
                "(ASCII). Copy the key again from the provider's website."
            ).format(position=problem.position, char=problem.char, code=problem.code)
        else:
            message = self.tr(
                "This API key cannot be sent to a server: character {position} is an "
                "invisible control character ({code}), and a key holds only plain letters, "
                "digits and punctuation (ASCII). Copy the key again from the provider's "
                "website."
            ).format(position=problem.position, code=problem.code)
        self.tabs.setCurrentIndex(0)
        self.key_edit.setFocus()
        self._show_status(message, error=True)
        return None

    def _update_key_note(self) -> None:
        if self._settings.keys_persistent:
            self.key_note.setText(self.tr("Keys are kept in your system keyring, never in a file."))
        else:
            self.key_note.setText(
                self.tr(
                    "The system keyring is not available: keys are kept in memory until Confab "
                    "closes, and never written to a file."
                )
            )

    def _on_forget_key_button_clicked(self) -> None:
        if self._current_id:
            provider = self._settings.provider(self._current_id)
            if provider is not None:
                self._settings.save_provider(provider, "")
                self._show_item(provider.id)

    def _on_proxy_combo_current_index_changed(self, _index: int) -> None:
        self._update_network_state()

    def _on_verify_check_toggled(self, _checked: bool) -> None:
        self._update_network_state()

    def _on_proxy_url_edit_editing_finished(self) -> None:
        self._take_proxy_credentials()

    def _on_ca_browse_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose a CA bundle"),
            self.ca_edit.text().strip(),
            self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if path:
            self.ca_edit.setText(path)
            self._on_form_edited()

    def _on_forget_proxy_password_button_clicked(self) -> None:
        if self._current_id:
            provider = self._settings.provider(self._current_id)
            if provider is not None:
                # Only the password goes: whatever else is being edited stays in the form.
                self._settings.save_provider(provider, None, "")
                self.proxy_password_edit.clear()
                self._update_password_placeholder()

    def _on_test_button_clicked(self) -> None:
        self.test_connection()
