<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ChatView</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/chat_view.py" line="+750"/>
        <source>Show %Ln later message(s)</source>
        <translation>
            <numerusform>Show %Ln later message</numerusform>
            <numerusform>Show %Ln later messages</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+597"/>
        <source>Show %Ln earlier message(s)</source>
        <translation>
            <numerusform>Show %Ln earlier message</numerusform>
            <numerusform>Show %Ln earlier messages</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ClipboardChip</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/quick_window.py" line="+89"/>
        <source>Use clipboard (%Ln char(s))</source>
        <translation>
            <numerusform>Use clipboard (%Ln char)</numerusform>
            <numerusform>Use clipboard (%Ln chars)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Use clipboard (first %Ln char(s))</source>
        <translation>
            <numerusform>Use clipboard (first %Ln char)</numerusform>
            <numerusform>Use clipboard (first %Ln chars)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CompareDialog</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/compare_view.py" line="+242"/>
        <source>Send to %n Models</source>
        <translation>
            <numerusform>Send to %n Model</numerusform>
            <numerusform>Send to %n Models</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message numerus="yes">
        <location line="+212"/>
        <source>Comparing %n model(s)</source>
        <translation>
            <numerusform>Comparing %n model</numerusform>
            <numerusform>Comparing %n models</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ImportServersDialog</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/tools_dialog.py" line="+847"/>
        <source>(%n secret(s) to the system keyring)</source>
        <translation>
            <numerusform>(%n secret to the system keyring)</numerusform>
            <numerusform>(%n secrets to the system keyring)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>%n server(s) to add.</source>
        <translation>
            <numerusform>%n server to add.</numerusform>
            <numerusform>%n servers to add.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>Add %n Server(s)</source>
        <translation>
            <numerusform>Add %n Server</numerusform>
            <numerusform>Add %n Servers</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/main_window.py" line="+553"/>
        <source>Still adding %n file(s): send once they are ready.</source>
        <translation>
            <numerusform>Still adding %n file: send once it is ready.</numerusform>
            <numerusform>Still adding %n files: send once they are ready.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1411"/>
        <source>%n conversation file(s) could not be read and were moved to the quarantine folder.</source>
        <translation>
            <numerusform>%n conversation file could not be read and was moved to the quarantine folder.</numerusform>
            <numerusform>%n conversation files could not be read and were moved to the quarantine folder.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n copy of a conversation (a sync conflict?) was opened as a separate conversation; the copied file was moved to the quarantine folder.</source>
        <translation>
            <numerusform>%n copy of a conversation (a sync conflict?) was opened as a separate conversation; the copied file was moved to the quarantine folder.</numerusform>
            <numerusform>%n copies of conversations (sync conflicts?) were opened as separate conversations; the copied files were moved to the quarantine folder.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n conversation(s) were saved by a newer version of Confab that this one cannot read. Their files are left untouched: update Confab to open them.</source>
        <translation>
            <numerusform>%n conversation was saved by a newer version of Confab that this one cannot read. Its file is left untouched: update Confab to open it.</numerusform>
            <numerusform>%n conversations were saved by a newer version of Confab that this one cannot read. Their files are left untouched: update Confab to open them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>%n conversation(s) had parts that could not be read: the rest is shown, and the files as they were are kept in the backups folder.</source>
        <translation>
            <numerusform>%n conversation had parts that could not be read: the rest is shown, and the file as it was is kept in the backups folder.</numerusform>
            <numerusform>%n conversations had parts that could not be read: the rest is shown, and the files as they were are kept in the backups folder.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n file(s) in the conversations folder could not be read, nor moved to the quarantine folder: they are left where they are.</source>
        <translation>
            <numerusform>%n file in the conversations folder could not be read, nor moved to the quarantine folder: it is left where it is.</numerusform>
            <numerusform>%n files in the conversations folder could not be read, nor moved to the quarantine folder: they are left where they are.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProviderDialog</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/provider_dialog.py" line="+449"/>
        <source>Connected. The server offers %n model(s).</source>
        <translation>
            <numerusform>Connected. The server offers %n model.</numerusform>
            <numerusform>Connected. The server offers %n models.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/search_panel.py" line="+564"/>
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n result</numerusform>
            <numerusform>%n results</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ToolsDialog</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/tools_dialog.py" line="-185"/>
        <source>%n tool(s).</source>
        <translation>
            <numerusform>%n tool.</numerusform>
            <numerusform>%n tools.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+67"/>
        <source>Added %n server(s).</source>
        <translation>
            <numerusform>Added %n server.</numerusform>
            <numerusform>Added %n servers.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ToolsPicker</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/tools_picker.py" line="+177"/>
        <source>%n server(s) this conversation used are removed or disabled: they are left out.</source>
        <translation>
            <numerusform>%n server this conversation used is removed or disabled: it is left out.</numerusform>
            <numerusform>%n servers this conversation used are removed or disabled: they are left out.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrashDialog</name>
    <message numerus="yes">
        <location filename="../../desktop/ui/trash_dialog.py" line="+129"/>
        <source>Delete %n conversation(s) for good?</source>
        <translation>
            <numerusform>Delete %n conversation for good?</numerusform>
            <numerusform>Delete %n conversations for good?</numerusform>
        </translation>
    </message>
</context>
</TS>
