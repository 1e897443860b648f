<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>App</name>
    <message>
        <location filename="../../desktop/app.py" line="+321"/>
        <source>Confab cannot use its data folder:
{detail}</source>
        <translation>Confab 无法使用其数据文件夹：
{detail}</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Confab is already running with this data folder:
{path}

Only one Confab at a time may write there. Switch to its window, or start this one with --data-dir and another folder.</source>
        <translation>Confab 已经在使用这个数据文件夹：
{path}

同一时间只能有一个 Confab 写入这里。请切换到它的窗口，或用 --data-dir 指定另一个文件夹启动。</translation>
    </message>
</context>
<context>
    <name>AttachFlow</name>
    <message>
        <location filename="../../desktop/ui/attach_flow.py" line="+166"/>
        <source>Attach Files</source>
        <translation>附加文件</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Images and documents ({patterns})</source>
        <translation>图片和文档 ({patterns})</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Images ({patterns})</source>
        <translation>图片 ({patterns})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Pasted image</source>
        <translation>粘贴的图片</translation>
    </message>
</context>
<context>
    <name>AttachmentChip</name>
    <message>
        <location filename="../../desktop/ui/attachment_chips.py" line="+75"/>
        <source>{tokens} tokens</source>
        <translation>{tokens} 个 token</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Exclude</source>
        <translation>不发送</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Keep this file with the message but do not send it to the model</source>
        <translation>保留在消息中，但不发送给模型</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Remove (Delete)</source>
        <translation>移除 (Delete)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove attachment</source>
        <translation>移除附件</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Adding…</source>
        <translation>正在添加…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>not sent</source>
        <translation>不发送</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>big</source>
        <translation>较大</translation>
    </message>
</context>
<context>
    <name>AttachmentReason</name>
    <message>
        <location filename="../../desktop/ui/attachment_reasons.py" line="+17"/>
        <source>{name} cannot be read ({error})</source>
        <translation>无法读取 {name}（{error}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} is empty</source>
        <translation>{name} 是空文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} is {size} MB: more than the {limit} MB Confab attaches</source>
        <translation>{name} 有 {size} MB：超过了 Confab 可附加的 {limit} MB 上限</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} has {pixels} megapixels: more than the {limit} Confab opens</source>
        <translation>{name} 有 {pixels} 百万像素：超过了 Confab 能打开的 {limit} 百万像素</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} is not a file Confab can attach ({type}): images (PNG, JPEG, GIF, WebP), PDF, DOCX and text files are</source>
        <translation>{name} 不是 Confab 能附加的文件（{type}）：可以附加图片（PNG、JPEG、GIF、WebP）、PDF、DOCX 和文本文件</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} is damaged or not what it seems ({error})</source>
        <translation>{name} 已损坏，或并非其看起来的类型（{error}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} is protected by a password</source>
        <translation>{name} 受密码保护</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} unpacks to more than {limit} MB: not opened</source>
        <translation>{name} 解压后超过 {limit} MB：未打开</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the file of {name} is missing from the data folder</source>
        <translation>数据文件夹中缺少 {name} 的文件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} could not be saved in the data folder ({error})</source>
        <translation>无法将 {name} 保存到数据文件夹（{error}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name}: {error}</source>
        <translation>{name}：{error}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The file cannot be read ({error})</source>
        <translation>无法读取该文件（{error}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The file cannot be attached ({error})</source>
        <translation>无法附加该文件（{error}）</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../desktop/ui/chat_view.py" line="+1386"/>
        <location line="+1"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>BranchSwitcher</name>
    <message>
        <location filename="../../desktop/ui/message_view.py" line="+765"/>
        <source>Previous version</source>
        <translation>上一个版本</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Next version</source>
        <translation>下一个版本</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Version %1 of %2</source>
        <translation>第 %1 个版本，共 %2 个</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../desktop/ui/chat_view.py" line="-577"/>
        <source>Ask anything.
Enter sends, Shift+Enter starts a new line.</source>
        <translation>尽管提问。
按 Enter 发送，Shift+Enter 换行。</translation>
    </message>
    <message>
        <location line="-637"/>
        <source>↓ Jump to latest</source>
        <translation>↓ 跳到最新</translation>
    </message>
    <message>
        <location line="-34"/>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Scroll to the newest message and follow it</source>
        <translation>滚动到最新消息并跟随</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Jump to latest</source>
        <translation>跳到最新</translation>
    </message>
    <message numerus="yes">
        <location line="+575"/>
        <source>Show %Ln later message(s)</source>
        <translation>
            <numerusform>显示后面的 %Ln 条消息</numerusform>
        </translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Ask anything.
Ctrl+Enter sends, Enter starts a new line.</source>
        <translation>有问必答。
Ctrl+Enter 发送，Enter 换行。</translation>
    </message>
    <message>
        <location line="+282"/>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>Copy Message</source>
        <translation>复制消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit Message</source>
        <translation>编辑消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Regenerate Reply</source>
        <translation>重新生成回复</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete Message</source>
        <translation>删除消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous Version of a Message</source>
        <translation>消息的上一版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next Version of a Message</source>
        <translation>消息的下一版本</translation>
    </message>
    <message numerus="yes">
        <location line="+187"/>
        <source>Show %Ln earlier message(s)</source>
        <translation>
            <numerusform>显示更早的 %Ln 条消息</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ClipboardChip</name>
    <message>
        <location filename="../../desktop/ui/quick_window.py" line="+73"/>
        <source>Do not send the clipboard</source>
        <translation>不发送剪贴板内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the clipboard&apos;s text</source>
        <translation>移除剪贴板文本</translation>
    </message>
    <message numerus="yes">
        <location line="+15"/>
        <source>Use clipboard (%Ln char(s))</source>
        <translation>
            <numerusform>使用剪贴板（%Ln 个字符）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Use clipboard (first %Ln char(s))</source>
        <translation>
            <numerusform>使用剪贴板（前 %Ln 个字符）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CodeBlockWidget</name>
    <message>
        <location filename="../../desktop/ui/message_view.py" line="-418"/>
        <location line="+58"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="-57"/>
        <location line="+1"/>
        <source>Copy this code</source>
        <translation>复制这段代码</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{language}: only its first lines are shown; Copy copies all</source>
        <translation>{language}：只显示了开头几行；复制会复制全部内容</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>CompareColumn</name>
    <message>
        <location filename="../../desktop/ui/compare_view.py" line="+300"/>
        <source>Keep This One</source>
        <translation>保留这个</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Keep the reply of {model}</source>
        <translation>保留 {model} 的回复</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ask {model} again</source>
        <translation>再问一次 {model}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ask this model again; the others are kept</source>
        <translation>再问一次这个模型；其他回复保留</translation>
    </message>
</context>
<context>
    <name>CompareDialog</name>
    <message>
        <location line="-163"/>
        <source>Compare Models</source>
        <translation>比较模型</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The question goes to every model at once; their replies stream side by side. Keep the best one to continue: the others stay as its versions.</source>
        <translation>问题同时发给每个模型，它们的回复并排流式显示。保留最好的一个继续对话：其他回复作为它的版本保留。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Add a Model</source>
        <translation>添加模型</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Tools are off in a comparison: each model answers without them. Keep a reply, then continue with tools as usual.</source>
        <translation>比较时不使用工具：每个模型都在没有工具的情况下回答。保留一个回复后，即可照常使用工具继续。</translation>
    </message>
    <message numerus="yes">
        <location line="+78"/>
        <source>Send to %n Models</source>
        <translation>
            <numerusform>发送给 %n 个模型</numerusform>
        </translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{models} may not see images: the images go to every model, and these may refuse them or answer without seeing them.</source>
        <translation>{models} 可能看不到图片：图片会发给每个模型，这些模型可能拒绝它们，或在看不到图片的情况下回答。</translation>
    </message>
</context>
<context>
    <name>CompareFlow</name>
    <message>
        <location filename="../../desktop/ui/compare_flow.py" line="+67"/>
        <source>Type the question first: Compare sends it to several models at once.</source>
        <translation>请先输入问题：比较会把它同时发给几个模型。</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Still adding files: compare once they are ready.</source>
        <translation>仍在添加文件：准备好后再比较。</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <location filename="../../desktop/ui/compare_view.py" line="+112"/>
        <source>Replies side by side</source>
        <translation>并排的回复</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Back to the Thread</source>
        <translation>返回对话</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show the thread with the first reply; the others are its versions</source>
        <translation>显示带第一个回复的对话；其他回复是它的版本</translation>
    </message>
    <message numerus="yes">
        <location line="+59"/>
        <source>Comparing %n model(s)</source>
        <translation>
            <numerusform>正在比较 %n 个模型</numerusform>
        </translation>
    </message>
    <message>
        <location line="+95"/>
        <source>Available once every reply has ended (Stop ends them now)</source>
        <translation>所有回复结束后可用（“停止”会立即结束它们）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Continue the conversation from this reply</source>
        <translation>从这个回复继续对话</translation>
    </message>
    <message>
        <location line="+104"/>
        <source>{tokens} out</source>
        <translation>输出 {tokens}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>first token {seconds} s</source>
        <translation>首个令牌 {seconds} 秒</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>waiting for the first token</source>
        <translation>正在等待首个令牌</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../desktop/ui/composer.py" line="+205"/>
        <source>Message Confab…  (Enter to send, Shift+Enter for a new line)</source>
        <translation>给 Confab 发消息…（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <location line="-70"/>
        <location line="+81"/>
        <location line="+2"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location line="-85"/>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Tokens and cost of the message as it would be sent</source>
        <translation>按现在发送时这条消息的 token 数和费用</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Attach</source>
        <translation>附加</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Attach files</source>
        <translation>附加文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Attach images or documents (Ctrl+Shift+A; or paste, or drop them here)</source>
        <translation>附加图片或文档（Ctrl+Shift+A；也可粘贴或拖放到这里）</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Saved by a newer version of Confab: read-only</source>
        <translation>由更新版本的 Confab 保存：只读</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Message Confab…  (Ctrl+Enter to send, Enter for a new line)</source>
        <translation>给 Confab 发消息…（Ctrl+Enter 发送，Enter 换行）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop the reply</source>
        <translation>停止回复</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A reply is being written</source>
        <translation>正在生成回复</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Stop the reply (Esc)</source>
        <translation>停止回复（Esc）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Send (Ctrl+Enter)</source>
        <translation>发送（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Send (Enter)</source>
        <translation>发送（Enter）</translation>
    </message>
</context>
<context>
    <name>ConfigProblem</name>
    <message>
        <location filename="../../desktop/ui/tools_dialog.py" line="+86"/>
        <source>This is not JSON: {detail}</source>
        <translation>这不是 JSON：{detail}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No &quot;mcpServers&quot; object was found.</source>
        <translation>没有找到 &quot;mcpServers&quot; 对象。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The config lists no servers.</source>
        <translation>配置中没有列出任何服务器。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{server}: not an object, left out.</source>
        <translation>{server}：不是对象，已略过。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{server}: unknown transport type “{detail}”, left out.</source>
        <translation>{server}：未知的传输类型“{detail}”，已略过。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{server}: neither a command nor a URL, left out.</source>
        <translation>{server}：既没有命令也没有 URL，已略过。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{server}: uses the older SSE transport. Added as Streamable HTTP, which most servers serve.</source>
        <translation>{server}：使用旧的 SSE 传输。已作为 Streamable HTTP 添加，大多数服务器都支持。</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <location filename="../../desktop/ui/sidebar.py" line="+143"/>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsDialog</name>
    <message>
        <location filename="../../desktop/ui/conversation_settings.py" line="+40"/>
        <source>Conversation settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Instructions the model follows for the whole conversation (optional)</source>
        <translation>模型在整个对话中遵循的指示（可选）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Name for this prompt</source>
        <translation>为这个提示词命名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save as persona</source>
        <translation>保存为角色</translation>
    </message>
    <message>
        <location line="+25"/>
        <location line="+9"/>
        <location line="+8"/>
        <source>Server default</source>
        <translation>服务器默认</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Up to the model&apos;s context window</source>
        <translation>不超过模型的上下文窗口</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Persona</source>
        <translation>角色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top p</source>
        <translation>Top p</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Maximum reply length (tokens)</source>
        <translation>最长回复（token）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send at most (messages)</source>
        <translation>最多发送（条消息）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send at most (tokens)</source>
        <translation>最多发送（token）</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>None</source>
        <comment>persona: no system prompt</comment>
        <translation>无</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Type a system prompt and a name first.</source>
        <translation>请先输入系统提示词和名称。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saved “{name}”.</source>
        <translation>已保存“{name}”。</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../desktop/app.py" line="-94"/>
        <source>Confab ran into a problem</source>
        <translation>Confab 遇到了问题</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Something unexpected went wrong. Your conversations are saved. If it happens again, please report it with the details below.</source>
        <translation>发生了意外错误。你的对话已保存。如果再次出现，请附上下方的详细信息报告此问题。</translation>
    </message>
</context>
<context>
    <name>DesktopIntegration</name>
    <message>
        <location filename="../../desktop/ui/desktop_integration.py" line="+135"/>
        <source>{key} is in use by another program, so it cannot open Quick Ask: choose another shortcut in Preferences.</source>
        <translation>{key} 已被其他程序占用，无法用它打开快速提问：请在偏好设置中另选一个快捷键。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{key} cannot be a global shortcut: choose another in Preferences.</source>
        <translation>{key} 不能用作全局快捷键：请在偏好设置中另选一个。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This desktop does not let Confab set a global shortcut: bind the command “confab --quick” to a key in your desktop&apos;s keyboard settings.</source>
        <translation>此桌面环境不允许 Confab 设置全局快捷键：请在桌面的键盘设置中把命令“confab --quick”绑定到一个按键。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Confirm the Quick Ask shortcut in the dialog your desktop shows.</source>
        <translation>请在桌面弹出的对话框中确认快速提问的快捷键。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The shortcut {key} could not be set. You can bind the command “confab --quick” to a key in your desktop&apos;s keyboard settings.</source>
        <translation>无法设置快捷键 {key}。你可以在桌面的键盘设置中把命令“confab --quick”绑定到一个按键。</translation>
    </message>
    <message>
        <location line="+68"/>
        <source>Confab is still running</source>
        <translation>Confab 仍在运行</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>It stays in the tray, ready for Quick Ask. To quit, choose Quit Confab in the tray&apos;s menu, or press Ctrl+Q in the window.</source>
        <translation>它留在系统托盘中，随时可以快速提问。要退出，请在托盘菜单中选择“退出 Confab”，或在窗口中按 Ctrl+Q。</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>The reply failed: {reason}</source>
        <translation>回复失败：{reason}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
</context>
<context>
    <name>DocumentChip</name>
    <message>
        <location filename="../../desktop/ui/attachment_view.py" line="+136"/>
        <source>Open {name}</source>
        <translation>打开 {name}</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="+235"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="-195"/>
        <source>No model is chosen for this conversation. Pick one in the model box above.</source>
        <translation>此对话尚未选择模型。请在上方的模型框中选择一个。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The server is rate-limiting requests. Wait {seconds} s and send again.</source>
        <translation>服务器正在限制请求频率。请等待 {seconds} 秒后重新发送。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server is rate-limiting requests or your quota is used up. Wait a moment and send again, or check your plan.</source>
        <translation>服务器正在限制请求频率，或你的额度已用完。请稍后重新发送，或检查你的套餐。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The server had an internal error ({status}). Try again in a moment.</source>
        <translation>服务器发生内部错误（{status}）。请稍后重试。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The conversation is too long for this model. Start a new conversation or pick a model with a larger context.</source>
        <translation>对话太长，超出了此模型的上下文长度。请新建对话，或选择上下文更长的模型。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The server refused the request ({status}).</source>
        <translation>服务器拒绝了请求（{status}）。</translation>
    </message>
    <message>
        <location line="-68"/>
        <source>No provider is set up yet. Open Providers (Ctrl+,) and add one.</source>
        <translation>还没有设置提供商。请打开“提供商”（Ctrl+,）添加一个。</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>The model kept asking for tools, round after round, so Confab stopped the turn. What it said and ran so far is kept; ask again, perhaps more precisely.</source>
        <translation>模型一轮又一轮地请求调用工具，Confab 已停止本轮。已说的内容和已运行的调用都会保留；可以再问一次，问得更具体些。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>A tool gave no result in time and was cancelled.</source>
        <translation>一个工具未能及时给出结果，已被取消。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A tool server could not start or stopped. File → Tools… shows why; fix it there and Restart.</source>
        <translation>一个工具服务器无法启动或已停止。“文件 → 工具…”中会显示原因；在那里修正后点“重新启动”。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>A tool went wrong.</source>
        <translation>一个工具出错了。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The server rejected the API key. Check the key in Providers (Ctrl+,).</source>
        <translation>服务器拒绝了 API 密钥。请在“提供商”（Ctrl+,）中检查密钥。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server does not know this model or address. Pick another model or check the base URL in Providers (Ctrl+,).</source>
        <translation>服务器不认识这个模型或地址。请换一个模型，或在“提供商”（Ctrl+,）中检查基础 URL。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>The provider says your account has no credit or quota left. Check your plan or balance on the provider&apos;s website.</source>
        <translation>提供商表示你的账户已没有余额或额度。请到提供商网站查看套餐或余额。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The stored API key contains characters that cannot be sent. Paste the key again in Providers (Ctrl+,).</source>
        <translation>保存的 API 密钥包含无法发送的字符。请在“提供商”（Ctrl+,）中重新粘贴密钥。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>This model (or its server) does not take tools. Send again without tools, or pick a model that supports tool calling.</source>
        <translation>这个模型（或其服务器）不支持工具。请不带工具重新发送，或换一个支持工具调用的模型。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>This model cannot take images (the server refused them). Pick a model that sees images, or exclude the images and send again.</source>
        <translation>此模型不能接收图片（服务器拒绝了图片）。请选择一个能识别图片的模型，或排除这些图片后重新发送。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The proxy refused the user name or password. Check them in the provider&apos;s Network settings (Ctrl+,).</source>
        <translation>代理服务器拒绝了用户名或密码。请在服务商的“网络”设置中检查（Ctrl+,）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Could not connect through the proxy. Check the proxy address in the provider&apos;s Network settings (Ctrl+,), or choose another proxy setting there.</source>
        <translation>无法通过代理连接。请在服务商的“网络”设置中检查代理地址（Ctrl+,），或在那里选择其他代理设置。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The server&apos;s security certificate could not be verified, so nothing was sent. If your network uses its own certificate authority, choose its CA bundle in the provider&apos;s Network settings (Ctrl+,).</source>
        <translation>无法验证服务器的安全证书，因此没有发送任何内容。如果你的网络使用自己的证书颁发机构，请在服务商的“网络”设置中选择其 CA 证书包（Ctrl+,）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Could not reach the server. Check your connection and the base URL in Providers (Ctrl+,); a local server must be running.</source>
        <translation>无法连接服务器。请检查网络连接以及“提供商”（Ctrl+,）中的基础 URL；本地服务器需要正在运行。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The server took too long to answer. Try again, or check that it is running.</source>
        <translation>服务器响应超时。请重试，或检查服务器是否正在运行。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The connection dropped while the reply was coming in. The text received so far is kept; send again to retry.</source>
        <translation>接收回复时连接中断。已收到的文本会保留；重新发送即可重试。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The server ended the reply without any text. Try again or pick another model.</source>
        <translation>服务器结束了回复，但没有返回任何文本。请重试或换一个模型。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The server sent far more data than Confab accepts for one answer, so it stopped reading. Any text received so far is kept.</source>
        <translation>服务器发送的数据远超 Confab 对单个回答所接受的上限，因此已停止读取。已收到的文本会保留。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The server answered with a web page, not a chat stream: a captive portal or wrong address? Sign in to the network in your browser, or check the base URL in Providers (Ctrl+,).</source>
        <translation>服务器返回的是一个网页，而不是聊天数据流：可能是需要登录的网络（认证门户），或地址有误？请在浏览器中登录网络，或在“提供商”（Ctrl+,）中检查基础 URL。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The server answered with JSON that is not a chat reply. Check the base URL and the model in Providers (Ctrl+,).</source>
        <translation>服务器返回的 JSON 不是聊天回复。请在“提供商”（Ctrl+,）中检查基础 URL 和模型。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The server&apos;s answer is not a chat stream. Check the base URL in Providers (Ctrl+,).</source>
        <translation>服务器的回答不是聊天数据流。请在“提供商”（Ctrl+,）中检查基础 URL。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The server reported an error during the reply. Try again in a moment.</source>
        <translation>服务器在回复过程中报告了错误。请稍后再试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Confab could not save to disk (is it full or read-only?). Your text is kept in memory and saving is retried.</source>
        <translation>Confab 无法保存到磁盘（磁盘已满或只读？）。你的文本保留在内存中，并会自动重试保存。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This was saved by a newer version of Confab, so this version leaves it unchanged. Update Confab to change it.</source>
        <translation>这是由更新版本的 Confab 保存的，当前版本不会修改它。请更新 Confab 后再修改。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The search index could not be read. Restarting Confab checks it and rebuilds it if it is damaged.</source>
        <translation>无法读取搜索索引。重新启动 Confab 会检查它，如有损坏则重建。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Confab could not read or write its data folder.</source>
        <translation>Confab 无法读写其数据文件夹。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The system keyring is not available.</source>
        <translation>系统钥匙串不可用。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong.</source>
        <translation>出错了。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Could not connect within {seconds} s (connect timeout). Check that the server is running, or allow more time in the provider&apos;s Network settings (Ctrl+,).</source>
        <translation>{seconds} 秒内未能连接（连接超时）。请检查服务器是否在运行，或在服务商的“网络”设置中放宽时间（Ctrl+,）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The reply stopped for {seconds} s (silence timeout). The text received so far is kept; send again, or allow more time in the provider&apos;s Network settings (Ctrl+,).</source>
        <translation>回复中断了 {seconds} 秒（静默超时）。已收到的文字会保留；请重新发送，或在服务商的“网络”设置中放宽时间（Ctrl+,）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No reply within {seconds} s (first-byte timeout). Try again, or allow more time in the provider&apos;s Network settings (Ctrl+,).</source>
        <translation>{seconds} 秒内没有回复（首字节超时）。请重试，或在服务商的“网络”设置中放宽时间（Ctrl+,）。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Interrupted: Confab closed before the reply finished.</source>
        <translation>已中断：回复完成前 Confab 已关闭。</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+5"/>
        <source>Reply failed: {detail}</source>
        <translation>回复失败：{detail}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The tool gave no result within {seconds} s and was cancelled.</source>
        <translation>该工具在 {seconds} 秒内没有给出结果，已被取消。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The tool gave no result in time and was cancelled.</source>
        <translation>工具未能及时给出结果，已取消。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The tool reported an error; the model was told.</source>
        <translation>该工具报告了错误；已告知模型。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The tool reported an error: {detail}</source>
        <translation>工具报告了错误：{detail}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The tool&apos;s server could not run it: {detail}</source>
        <translation>工具的服务器无法运行它：{detail}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The model&apos;s arguments could not be read: {detail}</source>
        <translation>无法读取模型给出的参数：{detail}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The model asked for a tool that is not on.</source>
        <translation>模型请求了一个未启用的工具。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tool could not run: {detail}</source>
        <translation>该工具无法运行：{detail}</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../desktop/ui/export_dialog.py" line="+56"/>
        <location line="+163"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location line="-154"/>
        <source>This conversation</source>
        <translation>此对话</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This conversation: {title}</source>
        <translation>此对话：{title}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The {count} selected conversations</source>
        <translation>选中的 {count} 个对话</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Everything ({count} conversations)</source>
        <translation>全部（{count} 个对话）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Markdown (.md)</source>
        <translation>Markdown (.md)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Web page (.html)</source>
        <translation>网页 (.html)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PDF (.pdf)</source>
        <translation>PDF (.pdf)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confab conversation file (.json)</source>
        <translation>Confab 对话文件 (.json)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confab archive, every branch (.zip)</source>
        <translation>Confab 归档，含所有分支 (.zip)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>As files in a folder, not one .zip</source>
        <translation>存为文件夹中的文件，而非一个 .zip</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show in Folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Export:</source>
        <translation>导出：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>One .zip with every branch of each conversation, as Confab keeps them; for the whole library also its attachments and settings, never a key. Confab imports it.</source>
        <translation>一个 .zip，含每个对话的所有分支，与 Confab 保存的一致；导出整个资料库时还包括附件和设置，绝不含密钥。Confab 可以导入它。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The conversation files themselves, with every branch.</source>
        <translation>对话文件本身，含所有分支。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The branch on screen of each conversation, with its reasoning.</source>
        <translation>每个对话当前显示的分支，含推理过程。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Thinking</source>
        <translation>思考</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Created</source>
        <translation>创建于</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+21"/>
        <source>Untitled</source>
        <translation>无标题</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>Exported from Confab on {date}</source>
        <translation>于 {date} 从 Confab 导出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>version {number} of {count}</source>
        <translation>第 {number} 版，共 {count} 版</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The reply was stopped.</source>
        <translation>回复已被停止。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The reply was cut short.</source>
        <translation>回复被中断。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The reply failed: {error}</source>
        <translation>回复失败：{error}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tool call: {name}</source>
        <translation>工具调用：{name}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tool output</source>
        <translation>工具输出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tool output: {name}</source>
        <translation>工具输出：{name}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Export into folder</source>
        <translation>导出到文件夹</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Confab export {date}</source>
        <translation>Confab 导出 {date}</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Exporting: {done} of {total} conversations…</source>
        <translation>正在导出：第 {done} 个，共 {total} 个对话…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The export was cancelled; nothing was left behind.</source>
        <translation>导出已取消，未留下任何文件。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Exported 1 conversation to {path}.</source>
        <translation>已将 1 个对话导出到 {path}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exported {count} conversations to {path}.</source>
        <translation>已将 {count} 个对话导出到 {path}。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{count} files could not be read and were left out: {names}</source>
        <translation>{count} 个文件无法读取，已略过：{names}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The export could not be written: {detail}</source>
        <translation>无法写入导出文件：{detail}</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <location filename="../../desktop/ui/find_bar.py" line="+100"/>
        <source>Find in conversation</source>
        <translation>在对话中查找</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Previous match (Shift+Enter)</source>
        <translation>上一个匹配（Shift+Enter）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Next match (Enter)</source>
        <translation>下一个匹配（Enter）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close (Escape)</source>
        <translation>关闭（Esc）</translation>
    </message>
    <message>
        <location line="+186"/>
        <source>No matches</source>
        <translation>无匹配</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{current} of {total}</source>
        <translation>第 {current} 个，共 {total} 个</translation>
    </message>
</context>
<context>
    <name>Formats</name>
    <message>
        <location filename="../../desktop/ui/formats.py" line="+38"/>
        <source>MMM d</source>
        <comment>date in the current year</comment>
        <translation>M月d日</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>MMM d, yyyy</source>
        <comment>date in another year</comment>
        <translation>yyyy年M月d日</translation>
    </message>
</context>
<context>
    <name>HitListModel</name>
    <message>
        <location filename="../../desktop/ui/search_panel.py" line="+112"/>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
</context>
<context>
    <name>ImageThumb</name>
    <message>
        <location filename="../../desktop/ui/attachment_view.py" line="-54"/>
        <source>{name} (click to open)</source>
        <translation>{name}（点击打开）</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>{name}: cannot be shown</source>
        <translation>{name}：无法显示</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <location line="+184"/>
        <source>Opening…</source>
        <translation>正在打开…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>This image cannot be shown.</source>
        <translation>无法显示此图片。</translation>
    </message>
</context>
<context>
    <name>ImportFlow</name>
    <message>
        <location filename="../../desktop/ui/import_flow.py" line="+72"/>
        <source>Import Conversations</source>
        <translation>导入对话</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>ChatGPT, Claude and Confab exports (*.zip *.json)</source>
        <translation>ChatGPT、Claude 和 Confab 的导出文件 (*.zip *.json)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Import a Folder</source>
        <translation>导入文件夹</translation>
    </message>
</context>
<context>
    <name>ImportProgress</name>
    <message>
        <location filename="../../desktop/ui/import_dialogs.py" line="+30"/>
        <source>Looking at the files…</source>
        <translation>正在查看文件…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reading conversations: {done} so far…</source>
        <translation>正在读取对话：已读 {done} 个…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Importing {done} of {total} conversations…</source>
        <translation>正在导入对话：{done} / {total}…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>File {n} of {count}: {text}</source>
        <translation>第 {n} 个文件，共 {count} 个：{text}</translation>
    </message>
</context>
<context>
    <name>ImportProgressDialog</name>
    <message>
        <location line="+148"/>
        <source>Importing</source>
        <translation>正在导入</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Cancelling after this conversation…</source>
        <translation>正在取消，完成当前对话后停止…</translation>
    </message>
</context>
<context>
    <name>ImportReason</name>
    <message>
        <location filename="../../desktop/ui/import_reasons.py" line="+16"/>
        <source>cannot be opened ({error})</source>
        <translation>无法打开（{error}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+26"/>
        <source>cannot be read ({error})</source>
        <translation>无法读取（{error}）</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>has no conversations.json</source>
        <translation>其中没有 conversations.json</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>holds no Confab conversation</source>
        <translation>其中没有 Confab 对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not an export Confab reads ({kind})</source>
        <translation>不是 Confab 能读取的导出（{kind}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{error}: the conversations before it were read</source>
        <translation>{error}：之前的对话已读取</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the file ends here (cut short?): the conversations before it were read</source>
        <translation>文件在此处结束（可能不完整）：之前的对话已读取</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>not a JSON list of conversations</source>
        <translation>不是对话的 JSON 列表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>larger than Confab reads ({error}): the conversations before it were read</source>
        <translation>超出 Confab 可读取的大小（{error}）：之前的对话已读取</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>unreadable after conversation {count} ({error}): those before were read</source>
        <translation>第 {count} 个对话之后无法读取（{error}）：之前的已读取</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the reading stopped ({error}): what was read before is kept</source>
        <translation>读取中止（{error}）：之前读取的内容已保留</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>larger than {mib} MiB: not read</source>
        <translation>大于 {mib} MiB：未读取</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not valid JSON ({error})</source>
        <translation>不是有效的 JSON（{error}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a conversation is {type}, not an object</source>
        <translation>对话是 {type}，而不是对象</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>damaged: {error}</source>
        <translation>已损坏：{error}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>its id {id} cannot name a file</source>
        <translation>其 ID {id} 不能用作文件名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the node is {type}, not an object</source>
        <translation>该节点是 {type}，而不是对象</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>its message is {type}, not an object</source>
        <translation>其消息是 {type}，而不是对象</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>content of type {kind} has no text Confab reads</source>
        <translation>类型为 {kind} 的内容没有 Confab 能读取的文本</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>its parent links form a cycle</source>
        <translation>其父级链接构成了循环</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the conversation has no id: one was made from its title and time</source>
        <translation>该对话没有 ID：已根据其标题和时间生成一个</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>its messages ({field}) are missing</source>
        <translation>缺少其消息（{field}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>its messages ({field}) are {type}, not an object</source>
        <translation>其消息（{field}）是 {type}，而不是对象</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>its messages ({field}) are {type}, not a list</source>
        <translation>其消息（{field}）是 {type}，而不是列表</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>message {message}: a {kind} block with no text left out</source>
        <translation>消息 {message}：已略去一个没有文本的 {kind} 块</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>image {name} is not in the export</source>
        <translation>导出中没有图片 {name}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>file {name} was not attached: {error}</source>
        <translation>文件 {name} 未能附加：{error}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>written by a newer Confab (format version {version})</source>
        <translation>由较新版本的 Confab 写入（格式版本 {version}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>a field could not be read: {detail}</source>
        <translation>有字段无法读取：{detail}</translation>
    </message>
</context>
<context>
    <name>ImportReport</name>
    <message>
        <location filename="../../desktop/ui/import_dialogs.py" line="-176"/>
        <source>not a ChatGPT or Claude export, nor Confab files</source>
        <translation>不是 ChatGPT 或 Claude 的导出文件，也不是 Confab 文件</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>cannot be read: {detail}</source>
        <translation>无法读取：{detail}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>in the trash: restore it (File → Trash) and import again to update it</source>
        <translation>在回收站中：请先恢复（文件 → 回收站），再次导入即可更新</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>saved by a newer version of Confab: left as it is</source>
        <translation>由更新版本的 Confab 保存：保持原样</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>its file in the library cannot be read: left as it is</source>
        <translation>资料库中的文件无法读取：保持原样</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>its id cannot name a file: {detail}</source>
        <translation>其 ID 不能用作文件名：{detail}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>closed while it was being imported: import again to bring it in</source>
        <translation>导入期间被关闭：请再次导入以带入新内容</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>could not be written: {detail}</source>
        <translation>无法写入：{detail}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Nothing could be imported.</source>
        <translation>没有可导入的内容。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import cancelled. What was imported until then is kept.</source>
        <translation>导入已取消。取消前已导入的内容会保留。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nothing new: every conversation was already in the library.</source>
        <translation>没有新内容：所有对话都已在资料库中。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Import finished.</source>
        <translation>导入完成。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>New conversations</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Updated conversations</source>
        <translation>已更新的对话</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Already up to date</source>
        <translation>已是最新</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Messages imported</source>
        <translation>导入的消息</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{where}: {why}</source>
        <translation>{where}：{why}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>… and {count} more (Copy takes them all)</source>
        <translation>… 还有 {count} 项（复制会包含全部）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Skipped:</source>
        <translation>已跳过：</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Noticed in conversations that were imported:</source>
        <translation>在已导入的对话中发现：</translation>
    </message>
</context>
<context>
    <name>ImportReportDialog</name>
    <message>
        <location line="+86"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Skipped, and why:</source>
        <translation>已跳过的内容及原因：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Copy Report</source>
        <translation>复制报告</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>ImportServersDialog</name>
    <message>
        <location filename="../../desktop/ui/tools_dialog.py" line="+661"/>
        <source>Import MCP Servers</source>
        <translation>导入 MCP 服务器</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Paste an &quot;mcpServers&quot; config as Claude Desktop, Cursor or Cherry Studio write it, or choose its file. Nothing is added until you say so.</source>
        <translation>粘贴 Claude Desktop、Cursor 或 Cherry Studio 所写的 &quot;mcpServers&quot; 配置，或选择配置文件。在你确认之前不会添加任何内容。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Choose File…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+47"/>
        <location line="+25"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location line="-68"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Found</source>
        <translation>找到的内容</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Nothing pasted yet.</source>
        <translation>尚未粘贴任何内容。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{name}: {launch}</source>
        <translation>{name}：{launch}</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>(%n secret(s) to the system keyring)</source>
        <translation>
            <numerusform>（%n 项机密存入系统钥匙串）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>%n server(s) to add.</source>
        <translation>
            <numerusform>将添加 %n 个服务器。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No server could be read from this text.</source>
        <translation>无法从这段文本中读出任何服务器。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Problems:</source>
        <translation>问题：</translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>Add %n Server(s)</source>
        <translation>
            <numerusform>添加 %n 个服务器</numerusform>
        </translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Choose an MCP config</source>
        <translation>选择 MCP 配置</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON 文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The file could not be read: {reason}</source>
        <translation>无法读取该文件：{reason}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="+134"/>
        <location line="+3"/>
        <location line="+1"/>
        <source>Provider</source>
        <translation>提供商</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+2"/>
        <source>Model for this conversation</source>
        <translation>此对话使用的模型</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Tokens and cost of every reply in this conversation, all versions included</source>
        <translation>本对话所有回复（含各个版本）的 token 数和费用</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Conversation settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>System prompt, model and parameters of this conversation (Ctrl+Shift+,)</source>
        <translation>本对话的系统提示词、模型和参数（Ctrl+Shift+,）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tools of this conversation</source>
        <translation>此对话的工具</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The MCP tools the model may ask to run in this conversation</source>
        <translation>本对话中模型可以请求运行的 MCP 工具</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compare models</source>
        <translation>比较模型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Send the message to two to four models at once, side by side (Ctrl+Shift+M)</source>
        <translation>把消息同时发给两到四个模型，并排比较（Ctrl+Shift+M）</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Conversation title</source>
        <translation>对话标题</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>{title} (from another device)</source>
        <translation>{title}（来自另一台设备）</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New Conversation</source>
        <translation>新建对话(&amp;N)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Attach Files…</source>
        <translation>附加文件(&amp;A)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Attach images or documents to the message</source>
        <translation>为消息附加图片或文档</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Co&amp;mpare Models…</source>
        <translation>比较模型(&amp;M)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Send the message to two to four models at once and keep the best reply</source>
        <translation>把消息同时发给两到四个模型，并保留最好的回复</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Conversation &amp;Settings…</source>
        <translation>对话设置(&amp;S)…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Pr&amp;eferences…</source>
        <translation>偏好设置(&amp;E)…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Providers…</source>
        <translation>提供商(&amp;P)…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>T&amp;ools…</source>
        <translation>工具(&amp;O)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>MCP servers: the tools the model may use</source>
        <translation>MCP 服务器：模型可以使用的工具</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Summarize &amp;Older Messages</source>
        <translation>总结较早的消息(&amp;O)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Replace the older part of the conversation by a summary in what is sent</source>
        <translation>发送时用一段总结代替对话中较早的部分</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>P&amp;rices…</source>
        <translation>价格(&amp;R)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Usage…</source>
        <translation>用量(&amp;U)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save conversations as Markdown, a web page or PDF, or the whole library as an archive</source>
        <translation>将对话保存为 Markdown、网页或 PDF，或将整个资料库保存为归档</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Trash…</source>
        <translation>回收站(&amp;T)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Deleted conversations, to restore</source>
        <translation>已删除的对话，可恢复</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Quick &amp;Ask…</source>
        <translation>快速提问(&amp;A)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About Confab</source>
        <translation>关于 Confab(&amp;A)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Stop the Reply</source>
        <translation>停止回复</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Next Pane</source>
        <translation>下一个窗格</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Previous Pane</source>
        <translation>上一个窗格</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Go to the Messages</source>
        <translation>转到消息</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>&amp;Import…</source>
        <translation>导入(&amp;I)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import a ChatGPT or Claude export, or Confab files (or drop them here)</source>
        <translation>导入 ChatGPT 或 Claude 的导出文件，或 Confab 文件（也可以拖放到这里）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Import &amp;Folder…</source>
        <translation>导入文件夹(&amp;F)…</translation>
    </message>
    <message numerus="yes">
        <location line="+113"/>
        <source>Still adding %n file(s): send once they are ready.</source>
        <translation>
            <numerusform>仍在添加 %n 个文件：准备好后再发送。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Send images</source>
        <translation>发送图片</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{model} may not see images.</source>
        <translation>{model} 可能看不到图片。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This model</source>
        <translation>此模型</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>It is not known as a vision model: the server may refuse the request, or the model answer without seeing them. Choose a vision model, or send anyway.</source>
        <translation>它不是已知的视觉模型：服务器可能拒绝请求，或者模型在看不到图片的情况下作答。请选择视觉模型，或仍然发送。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Send Anyway</source>
        <translation>仍然发送</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>Summarizing the older messages…</source>
        <translation>正在总结较早的消息…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>There is not enough conversation to summarize yet.</source>
        <translation>对话还不够长，暂时无需总结。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Could not reach the server. Trying again in {seconds} s (attempt {attempt} of {attempts})…</source>
        <translation>无法连接服务器。{seconds} 秒后重试（第 {attempt} 次，共 {attempts} 次）…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The server is busy. Trying again in {seconds} s (attempt {attempt} of {attempts})…</source>
        <translation>服务器繁忙。{seconds} 秒后重试（第 {attempt} 次，共 {attempts} 次）…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The older messages were summarized: the summary is sent in their place. They stay here, marked as not sent.</source>
        <translation>较早的消息已总结：之后发送总结来代替它们。原消息仍保留在这里，并标记为不发送。</translation>
    </message>
    <message>
        <location line="+176"/>
        <source>Confab could not change whether it starts when you log in.</source>
        <translation>Confab 无法更改登录时是否自动启动。</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Search ({keys})</source>
        <translation>搜索（{keys}）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Search every message of every conversation ({keys})</source>
        <translation>搜索所有对话中的每条消息（{keys}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search every message of every conversation</source>
        <translation>搜索所有对话中的每条消息</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>System prompt, model and parameters of this conversation ({keys})</source>
        <translation>本对话的系统提示词、模型和参数（{keys}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>System prompt, model and parameters of this conversation</source>
        <translation>本对话的系统提示词、模型和参数</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>The tool server “{name}” could not start, so its tools are not offered in this reply.</source>
        <translation>工具服务器“{name}”无法启动，因此本次回复不提供它的工具。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Open Tools</source>
        <translation>打开工具设置</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>A tool call in “{title}” waits for your approval.</source>
        <translation>“{title}”中的一次工具调用正等待你批准。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show It</source>
        <translation>查看</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>&amp;Search</source>
        <translation>搜索(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Search Everything…</source>
        <translation>搜索全部(&amp;S)…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Find in Conversation…</source>
        <translation>在对话中查找(&amp;F)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Find &amp;Next</source>
        <translation>查找下一个(&amp;N)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Find &amp;Previous</source>
        <translation>查找上一个(&amp;P)</translation>
    </message>
    <message>
        <location line="+210"/>
        <source>This conversation was saved by a newer version of Confab. This version shows it read-only and never changes its file: update Confab to continue it.</source>
        <translation>此对话由更新版本的 Confab 保存。当前版本以只读方式显示，绝不修改其文件：请更新 Confab 后继续此对话。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Format version {version}</source>
        <translation>格式版本 {version}</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>“{title}” was changed on another device: this is its latest version.</source>
        <translation>“{title}”已在另一台设备上更改：现在显示的是最新版本。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>“{title}” was changed on another device while it was changing here. Both versions are kept: the other one is listed as “{copy}”.</source>
        <translation>“{title}”在这里更改的同时也在另一台设备上被更改。两个版本都已保留：另一个版本在列表中名为“{copy}”。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Open It</source>
        <translation>打开</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>“{title}” was removed on another device.</source>
        <translation>“{title}”已在另一台设备上删除。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep It writes the conversation as it was here back to disk.</source>
        <translation>“保留”会将此处的对话按原样写回磁盘。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Keep It</source>
        <translation>保留</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>“{title}” was removed on another device while it was changing here: it is kept, and written back to disk.</source>
        <translation>“{title}”在这里更改的同时已在另一台设备上删除：它已被保留，并已写回磁盘。</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Delete message</source>
        <translation>删除消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete this message and the replies that follow it?</source>
        <translation>删除这条消息及其后的回复？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other versions of the conversation are kept.</source>
        <translation>对话的其他版本会保留。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 replied: %2</source>
        <translation>%1 已回复：%2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 replied.</source>
        <translation>%1 已回复。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Send Fewer Messages</source>
        <translation>少发送一些消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Summarize Older Messages</source>
        <translation>总结较早的消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send Without Tools</source>
        <translation>不带工具发送</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The system keyring is not available, so Confab has no key for this provider. Type the key in Providers (Ctrl+,); it is kept in memory until Confab closes.</source>
        <translation>系统钥匙串不可用，因此 Confab 没有这个提供商的密钥。请在“提供商”（Ctrl+,）中输入密钥；它会保存在内存中，直到 Confab 关闭。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>The system keyring is not available, so API keys are kept in memory only until Confab closes. They are never written to a file.</source>
        <translation>系统钥匙串不可用，因此 API 密钥只保存在内存中，直到 Confab 关闭，绝不会写入文件。</translation>
    </message>
    <message>
        <location line="-538"/>
        <location line="+315"/>
        <location line="+234"/>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>“{title}” was moved to the trash.</source>
        <translation>“{title}”已移到回收站。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+58"/>
        <source>File → Trash lists every deleted conversation.</source>
        <translation>“文件 → 回收站”列出所有已删除的对话。</translation>
    </message>
    <message>
        <location line="-56"/>
        <location line="+58"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>{count} conversations could not be changed.</source>
        <translation>有 {count} 个对话无法更改。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Their files could not be read; the others were changed.</source>
        <translation>无法读取它们的文件；其他对话已更改。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{count} conversations were moved to the trash.</source>
        <translation>已将 {count} 个对话移到回收站。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>About Confab</source>
        <translation>关于 Confab</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confab {version}
A fast, frugal desktop client for OpenAI-compatible chat APIs.</source>
        <translation>Confab {version}
快速、轻量的桌面客户端，适用于兼容 OpenAI 的聊天 API。</translation>
    </message>
    <message>
        <location line="+124"/>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message numerus="yes">
        <location line="+64"/>
        <source>%n conversation file(s) could not be read and were moved to the quarantine folder.</source>
        <translation>
            <numerusform>有 %n 个对话文件无法读取，已移至 quarantine（隔离）文件夹。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n copy of a conversation (a sync conflict?) was opened as a separate conversation; the copied file was moved to the quarantine folder.</source>
        <translation>
            <numerusform>有 %n 个对话副本（可能是同步冲突）已作为单独的对话打开；副本文件已移到隔离文件夹。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n conversation(s) were saved by a newer version of Confab that this one cannot read. Their files are left untouched: update Confab to open them.</source>
        <translation>
            <numerusform>%n 个对话由更新版本的 Confab 保存，当前版本无法读取。这些文件保持原样：请更新 Confab 后打开。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>%n conversation(s) had parts that could not be read: the rest is shown, and the files as they were are kept in the backups folder.</source>
        <translation>
            <numerusform>%n 个对话有部分内容无法读取：其余内容照常显示，原文件保存在 backups 文件夹中。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n file(s) in the conversations folder could not be read, nor moved to the quarantine folder: they are left where they are.</source>
        <translation>
            <numerusform>conversations 文件夹中有 %n 个文件无法读取，也无法移到 quarantine 文件夹：它们保留在原处。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Confab cannot write its log, and works without one.</source>
        <translation>Confab 无法写入日志，将在没有日志的情况下继续工作。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Part of the settings could not be read; Confab uses what it could. The file as it was is kept as {name}.</source>
        <translation>部分设置无法读取；Confab 使用了能读取的部分。原文件已另存为 {name}。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Part of the settings could not be read; Confab uses defaults.</source>
        <translation>部分设置无法读取；Confab 使用默认设置。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The settings were saved by a newer version of Confab. This version leaves them unchanged: changes you make now last until you quit.</source>
        <translation>设置由更新版本的 Confab 保存。当前版本不会修改它：你现在所做的更改仅在退出前有效。</translation>
    </message>
    <message>
        <location line="+87"/>
        <source>Unsaved conversations</source>
        <translation>未保存的对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Some conversations could not be saved to disk.</source>
        <translation>有些对话无法保存到磁盘。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>If you quit now, their latest messages are lost. Free some disk space or fix the folder&apos;s permissions, then quit again.</source>
        <translation>如果现在退出，它们最新的消息将会丢失。请释放一些磁盘空间或修正文件夹权限，然后再退出。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Quit Anyway</source>
        <translation>仍然退出</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Keep Confab Open</source>
        <translation>保持 Confab 打开</translation>
    </message>
    <message>
        <location line="+12"/>
        <source> and {count} more</source>
        <translation>，另有 {count} 个</translation>
    </message>
</context>
<context>
    <name>MarkdownView</name>
    <message>
        <location filename="../../desktop/ui/message_view.py" line="-198"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+504"/>
        <source>Shown as plain text: too much Markdown punctuation to format quickly.</source>
        <translation>以纯文本显示：Markdown 标点过多，无法快速排版。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Table too large to lay out: shown as text.</source>
        <translation>表格太大，无法排版：以文本显示。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Too long to show whole: only its beginning is shown. Copy copies all of it.</source>
        <translation>内容太长，无法完整显示：只显示了开头部分。复制会复制全部内容。</translation>
    </message>
</context>
<context>
    <name>MessageAttachments</name>
    <message>
        <location filename="../../desktop/ui/attachment_view.py" line="-304"/>
        <source>{name}: the file is missing</source>
        <translation>{name}：文件已丢失</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <location filename="../../desktop/ui/message_view.py" line="-622"/>
        <source>Open link</source>
        <translation>打开链接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This link&apos;s text looks like another address. It goes to:</source>
        <translation>这个链接显示的文字像是另一个地址。它实际指向：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Open it only if you trust this address.</source>
        <translation>只有在信任这个地址时才打开。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location line="+1217"/>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <location line="-441"/>
        <location line="+596"/>
        <source>Not sent: outside the context</source>
        <translation>不发送：超出上下文</translation>
    </message>
    <message>
        <location line="-576"/>
        <source>Thinking</source>
        <translation>思考过程</translation>
    </message>
    <message>
        <location line="+340"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pin</source>
        <translation>固定</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Exclude</source>
        <translation>排除</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Copy the message as Markdown</source>
        <translation>以 Markdown 格式复制这条消息</translation>
    </message>
    <message>
        <location line="-30"/>
        <source>Previous Version</source>
        <translation>上一个版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next Version</source>
        <translation>下一个版本</translation>
    </message>
    <message>
        <location line="-73"/>
        <source>Assistant (%1)</source>
        <translation>助手（%1）</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>writing…</source>
        <translation>正在撰写…</translation>
    </message>
    <message>
        <location line="+84"/>
        <source>Edit this message</source>
        <translation>编辑这条消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Regenerate this reply</source>
        <translation>重新生成这条回复</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue this reply where it stopped</source>
        <translation>从中断处继续这条回复</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete this message</source>
        <translation>删除这条消息</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Always send this message, whatever the context budget</source>
        <translation>无论上下文预算如何，总是发送这条消息</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Never send this message to the model</source>
        <translation>从不把这条消息发送给模型</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Tool output: %1</source>
        <translation>工具输出：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tool output</source>
        <translation>工具输出</translation>
    </message>
    <message>
        <location line="+135"/>
        <source>Thinking…</source>
        <translation>思考中…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Not sent: excluded</source>
        <translation>不发送：已排除</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not sent: summarized</source>
        <translation>不发送：已总结</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Waiting for the reply…</source>
        <translation>正在等待回复…</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>Navigation</name>
    <message>
        <location filename="../../desktop/ui/navigation.py" line="+77"/>
        <source>Folders and tags</source>
        <translation>文件夹和标签</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>All conversations</source>
        <translation>全部对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folders</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+211"/>
        <source>New Folder…</source>
        <translation>新建文件夹…</translation>
    </message>
    <message>
        <location line="-209"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No tags yet</source>
        <translation>还没有标签</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Archive</source>
        <translation>归档</translation>
    </message>
    <message>
        <location line="+133"/>
        <source>Folder name</source>
        <translation>文件夹名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A folder needs a name, without “/” in it.</source>
        <translation>文件夹需要一个名称，且不能包含“/”。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>New Folder</source>
        <translation>新建文件夹</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New Sub-folder</source>
        <translation>新建子文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+19"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Name of the folder inside “{parent}”:</source>
        <translation>“{parent}”中新文件夹的名称：</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Rename Folder</source>
        <translation>重命名文件夹</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Delete folder</source>
        <translation>删除文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the folder “{name}”?</source>
        <translation>删除文件夹“{name}”？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Its conversations, and those of its sub-folders, stay: they are then in no folder.</source>
        <translation>其中的对话（包括子文件夹中的对话）会保留，之后不属于任何文件夹。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete Folder</source>
        <translation>删除文件夹</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>New Sub-folder…</source>
        <translation>新建子文件夹…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete Folder…</source>
        <translation>删除文件夹…</translation>
    </message>
</context>
<context>
    <name>OrganiseMenu</name>
    <message>
        <location filename="../../desktop/ui/organise.py" line="+152"/>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Move to Folder</source>
        <translation>移到文件夹</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>New Folder…</source>
        <translation>新建文件夹…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No Folder</source>
        <translation>不放入文件夹</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Tags…</source>
        <translation>标签…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Unarchive</source>
        <translation>取消归档</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Archive</source>
        <translation>归档</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete {count}…</source>
        <translation>删除 {count} 个…</translation>
    </message>
</context>
<context>
    <name>PairsEditor</name>
    <message>
        <location filename="../../desktop/ui/tools_dialog.py" line="-768"/>
        <source>Add Variable</source>
        <translation>添加变量</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Add Header</source>
        <translation>添加请求头</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <location filename="../../desktop/ui/preferences_dialog.py" line="+84"/>
        <source>Preferences</source>
        <translation>偏好设置</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Providers</source>
        <translation>提供商</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location line="+34"/>
        <location line="+8"/>
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>A new language shows the next time Confab starts.</source>
        <translation>新的语言将在下次启动 Confab 时生效。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+184"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location line="-183"/>
        <source> pt</source>
        <translation> 磅</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Font size of the conversation</source>
        <translation>对话字号(&amp;F)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter (Shift+Enter for a new line)</source>
        <translation>Enter（Shift+Enter 换行）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+Enter (Enter for a new line)</source>
        <translation>Ctrl+Enter（Enter 换行）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Let the model give new conversations a title</source>
        <translation>让模型为新对话起标题</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Conversations</source>
        <translation>对话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Send with</source>
        <translation>发送键(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Default &amp;provider</source>
        <translation>默认提供商(&amp;P)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Default &amp;model</source>
        <translation>默认模型(&amp;M)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start Confab when I log in</source>
        <translation>登录时启动 Confab</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show Confab in the system tray</source>
        <translation>在系统托盘中显示 Confab</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Notify me when a reply is ready while Confab is in the background</source>
        <translation>Confab 在后台时，回复完成后通知我</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Desktop</source>
        <translation>桌面</translation>
    </message>
    <message>
        <location line="+119"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Keys for {action}</source>
        <translation>{action}的按键</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Back to the default keys of {action}</source>
        <translation>恢复{action}的默认按键</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Click a shortcut and press the new keys; Backspace or the clear button leaves an action without keys. Quick ask works from any application.</source>
        <translation>点击快捷键后按下新的按键；按 Backspace 或清除按钮可取消该操作的按键。快速提问在任何应用中都可使用。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Reset All</source>
        <translation>全部重置</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+1"/>
        <source>Find an action or a key</source>
        <translation>查找操作或按键</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Quick ask (from anywhere)</source>
        <translation>快速提问（全局）</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Also: {keys}</source>
        <translation>另有：{keys}</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Same keys as {actions}</source>
        <translation>与{actions}的按键相同</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{keys} is used by {actions}.</source>
        <translation>{keys} 同时用于{actions}。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Give one of them other keys before saving.</source>
        <translation>请先为其中一个换一组按键再保存。</translation>
    </message>
    <message>
        <location line="+83"/>
        <source>Two actions have the same keys: change one of them.</source>
        <translation>有两个操作使用了相同的按键：请修改其中一个。</translation>
    </message>
</context>
<context>
    <name>PricesDialog</name>
    <message>
        <location filename="../../desktop/ui/prices_dialog.py" line="+40"/>
        <source>Prices</source>
        <translation>价格</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Input $/1M</source>
        <translation>输入 $/百万</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cached input $/1M</source>
        <translation>缓存输入 $/百万</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Output $/1M</source>
        <translation>输出 $/百万</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checked</source>
        <translation>核对日期</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Prices per million tokens, as each provider lists them on the date shown. Edit a cell to use your own price; your prices are kept in settings.json.</source>
        <translation>每百万 token 的价格，按各提供商在所示日期公布的价格。编辑单元格即可使用你自己的价格；你的价格保存在 settings.json 中。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Add Model</source>
        <translation>添加模型</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Use Shipped Price</source>
        <translation>使用内置价格</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Prices and the context must be numbers.</source>
        <translation>价格和上下文必须是数字。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Prices cannot be negative.</source>
        <translation>价格不能为负数。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Saved the price of {model}.</source>
        <translation>已保存 {model} 的价格。</translation>
    </message>
</context>
<context>
    <name>ProviderDialog</name>
    <message>
        <location filename="../../desktop/ui/provider_dialog.py" line="+77"/>
        <source>Providers</source>
        <translation>提供商</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+93"/>
        <source>Other OpenAI-compatible server…</source>
        <translation>其他兼容 OpenAI 的服务器…</translation>
    </message>
    <message>
        <location line="-90"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Remove stored key</source>
        <translation>移除已保存的密钥</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Base URL</source>
        <translation>基础 URL</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Default model</source>
        <translation>默认模型</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Choose where Confab sends your messages: a cloud service with your API key, or a server running on this computer.</source>
        <translation>选择 Confab 将消息发送到哪里：使用你的 API 密钥的云服务，或在这台电脑上运行的服务器。</translation>
    </message>
    <message>
        <location line="-81"/>
        <location line="+92"/>
        <source>{name} (on this computer)</source>
        <translation>{name}（在这台电脑上）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>System proxy</source>
        <translation>系统代理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No proxy</source>
        <translation>不使用代理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Custom proxy</source>
        <translation>自定义代理</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+269"/>
        <location line="+9"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="-274"/>
        <source>Remove stored password</source>
        <translation>删除已保存的密码</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>http://host:3128 or socks5://host:1080</source>
        <translation>http://host:3128 或 socks5://host:1080</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>None: the usual authorities</source>
        <translation>无：使用常规证书颁发机构</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A PEM file with the certificate authority your network uses (a company proxy or a server with its own certificate). It is trusted in addition to the usual ones.</source>
        <translation>包含你的网络所用证书颁发机构的 PEM 文件（公司代理，或使用自有证书的服务器）。它会在常规证书颁发机构之外被额外信任。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Verify TLS certificates</source>
        <translation>验证 TLS 证书</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>⚠ Certificates are not checked for this provider: anyone on the way to the server can pose as it and read your messages and your API key. Prefer choosing the server&apos;s CA bundle; turn checking off only for a server you control.</source>
        <translation>⚠ 此服务商的证书不会被检查：通往服务器路径上的任何人都可以冒充它，读取你的消息和 API 密钥。最好选择服务器的 CA 证书包；只对你自己掌控的服务器关闭检查。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Connect timeout</source>
        <translation>连接超时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How long to wait for the connection to the server (or proxy) to open.</source>
        <translation>等待与服务器（或代理）建立连接的最长时间。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>First-byte timeout</source>
        <translation>首字节超时</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How long to wait from sending until the reply starts. Reasoning models can think for minutes before their first word.</source>
        <translation>从发送到回复开始的最长等待时间。推理模型可能会在说出第一个字之前思考好几分钟。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Silence timeout</source>
        <translation>静默超时</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Once the reply is coming in, the longest pause allowed between two pieces.</source>
        <translation>回复开始后，两段内容之间允许的最长停顿。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Proxy</source>
        <translation>代理</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Proxy address</source>
        <translation>代理地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Proxy user name</source>
        <translation>代理用户名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Proxy password</source>
        <translation>代理密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CA bundle</source>
        <translation>CA 证书包</translation>
    </message>
    <message>
        <location line="+7"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Custom server</source>
        <translation>自定义服务器</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>The base URL must start with http:// or https://.</source>
        <translation>基础 URL 必须以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message numerus="yes">
        <location line="+35"/>
        <source>Connected. The server offers %n model(s).</source>
        <translation>
            <numerusform>已连接。服务器提供 %n 个模型。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+65"/>
        <location line="+19"/>
        <source>Stored in the system keyring — type to replace</source>
        <translation>已保存在系统钥匙串中，输入新密钥可替换</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Paste the API key from your account</source>
        <translation>粘贴你账户中的 API 密钥</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>None (fine for local servers)</source>
        <translation>无（本地服务器无需密钥）</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Every request of this provider goes through this HTTP or SOCKS5 proxy. The password is kept in your system keyring.</source>
        <translation>此服务商的每个请求都经过这个 HTTP 或 SOCKS5 代理。密码保存在系统密钥环中。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Connects directly, whatever the system&apos;s proxy settings say.</source>
        <translation>直接连接，不管系统的代理设置如何。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Uses the system&apos;s proxy settings (or HTTP_PROXY, HTTPS_PROXY and NO_PROXY). Servers on this computer are always reached directly.</source>
        <translation>使用系统的代理设置（或 HTTP_PROXY、HTTPS_PROXY 和 NO_PROXY）。本机上的服务器始终直接连接。</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Type the proxy address, for example http://proxy.example.com:3128 or socks5://127.0.0.1:1080.</source>
        <translation>请输入代理地址，例如 http://proxy.example.com:3128 或 socks5://127.0.0.1:1080。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The proxy address must start with http://, https://, socks5:// or socks5h://.</source>
        <translation>代理地址必须以 http://、https://、socks5:// 或 socks5h:// 开头。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The proxy address has no host name.</source>
        <translation>代理地址缺少主机名。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The proxy address needs a port number, for example http://proxy.example.com:3128.</source>
        <translation>代理地址需要端口号，例如 http://proxy.example.com:3128。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The CA bundle file does not exist: {path}</source>
        <translation>CA 证书包文件不存在：{path}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The CA bundle file cannot be read: {path}</source>
        <translation>无法读取 CA 证书包文件：{path}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The CA bundle is not a PEM certificate file (text with &quot;-----BEGIN CERTIFICATE-----&quot;): {path}</source>
        <translation>CA 证书包不是 PEM 证书文件（应为包含“-----BEGIN CERTIFICATE-----”的文本）：{path}</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>This API key cannot be sent to a server: character {position} is “{char}” ({code}), and a key holds only plain letters, digits and punctuation (ASCII). Copy the key again from the provider&apos;s website.</source>
        <translation>此 API 密钥无法发送给服务器：第 {position} 个字符是“{char}”（{code}），而密钥只含普通字母、数字和标点（ASCII）。请从服务商的网站重新复制密钥。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This API key cannot be sent to a server: character {position} is an invisible control character ({code}), and a key holds only plain letters, digits and punctuation (ASCII). Copy the key again from the provider&apos;s website.</source>
        <translation>此 API 密钥无法发送给服务器：第 {position} 个字符是不可见的控制字符（{code}），而密钥只含普通字母、数字和标点（ASCII）。请从服务商的网站重新复制密钥。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Keys are kept in your system keyring, never in a file.</source>
        <translation>密钥保存在系统钥匙串中，绝不会写入文件。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The system keyring is not available: keys are kept in memory until Confab closes, and never written to a file.</source>
        <translation>系统钥匙串不可用：密钥只保存在内存中，直到 Confab 关闭，绝不会写入文件。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Choose a CA bundle</source>
        <translation>选择 CA 证书包</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>QuickWindow</name>
    <message>
        <location filename="../../desktop/ui/quick_window.py" line="+33"/>
        <source>Quick Ask — Confab</source>
        <translation>快速提问 — Confab</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Provider</source>
        <translation>提供商</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model for this question</source>
        <translation>此问题使用的模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue in Confab</source>
        <translation>在 Confab 中继续</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open this conversation in the main window (Ctrl+Shift+Enter)</source>
        <translation>在主窗口中打开此对话（Ctrl+Shift+Enter）</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Quick Ask</source>
        <translation>快速提问</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Ask anything…  (Ctrl+Enter to send, Esc to close)</source>
        <translation>随便问…（Ctrl+Enter 发送，Esc 关闭）</translation>
    </message>
    <message>
        <source>Open this conversation in the main window (Ctrl+Enter)</source>
        <translation type="vanished">在主窗口中打开此对话（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ask anything…  (Enter to send, Esc to close)</source>
        <translation>随便问…（Enter 发送，Esc 关闭）</translation>
    </message>
    <message>
        <source>Quick ask</source>
        <translation type="vanished">快速提问</translation>
    </message>
</context>
<context>
    <name>SearchField</name>
    <message>
        <location filename="../../desktop/ui/sidebar.py" line="+190"/>
        <source>Search (Ctrl+K)</source>
        <translation>搜索（Ctrl+K）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search every message of every conversation (Ctrl+K)</source>
        <translation>搜索所有对话中的每条消息（Ctrl+K）</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <location filename="../../desktop/ui/search_panel.py" line="+93"/>
        <source>Title ·</source>
        <translation>标题 ·</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You ·</source>
        <translation>你 ·</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Search all conversations</source>
        <translation>搜索所有对话</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+354"/>
        <source>Filters</source>
        <translation>筛选</translation>
    </message>
    <message>
        <location line="-353"/>
        <source>Folder, tag, model, provider, date, role</source>
        <translation>文件夹、标签、模型、服务商、日期、角色</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close (Escape)</source>
        <translation>关闭（Esc）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Any folder</source>
        <translation>任意文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any tag</source>
        <translation>任意标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any model</source>
        <translation>任意模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any provider</source>
        <translation>任意服务商</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All messages</source>
        <translation>所有消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>My messages</source>
        <translation>我的消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Replies</source>
        <translation>回复</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Any time</source>
        <translation>任意时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Past 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Past 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Past year</source>
        <translation>最近一年</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Between dates…</source>
        <translation>指定日期范围…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Include archived</source>
        <translation>包括已归档</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search everything again</source>
        <translation>清除筛选，重新搜索全部</translation>
    </message>
    <message>
        <location line="+129"/>
        <source>Search index: {done} of {total} conversations… (results may be missing)</source>
        <translation>搜索索引：已建 {done} / {total} 个对话……（结果可能不全）</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message numerus="yes">
        <location line="+40"/>
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n 条结果</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The first {count} results</source>
        <translation>前 {count} 条结果</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No results for “{query}”</source>
        <translation>没有找到“{query}”的结果</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This search could not be run: {reason}</source>
        <translation>无法执行此搜索：{reason}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This search could not be run. Try other words, or fewer symbols.</source>
        <translation>无法执行此搜索。请换些词语，或少用符号。</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Filters ({count})</source>
        <translation>筛选（{count}）</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <location filename="../../desktop/ui/sidebar.py" line="+35"/>
        <source>New conversation</source>
        <translation>新建对话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Start a new conversation (Ctrl+N)</source>
        <translation>开始新对话（Ctrl+N）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Conversations</source>
        <translation>对话列表</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+68"/>
        <source>No conversations yet.</source>
        <translation>还没有对话。</translation>
    </message>
    <message>
        <location line="-55"/>
        <location line="+126"/>
        <location line="+81"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="-150"/>
        <source>Nothing here yet.</source>
        <translation>这里还没有内容。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Indexing {done} of {total} conversations…</source>
        <translation>正在建立索引：{done} / {total} 个对话…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Indexing messages for search: {done} of {total} conversations…</source>
        <translation>正在为搜索建立消息索引：{done} / {total} 个对话…</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Delete conversation</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete “{title}”?</source>
        <translation>删除“{title}”？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>It goes to the trash: File → Trash brings it back.</source>
        <translation>对话会移到回收站：可在“文件 → 回收站”中恢复。</translation>
    </message>
    <message>
        <location line="+79"/>
        <source>Delete conversations</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete {count} conversations?</source>
        <translation>删除 {count} 个对话？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>They go to the trash: File → Trash brings them back.</source>
        <translation>对话会移到回收站：可在“文件 → 回收站”中恢复。</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>All conversations</source>
        <translation>全部对话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Archive</source>
        <translation>归档</translation>
    </message>
</context>
<context>
    <name>TagsDialog</name>
    <message>
        <location filename="../../desktop/ui/organise.py" line="-149"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Tags of the selected conversation</source>
        <translation>所选对话的标签</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tags of the {count} selected conversations</source>
        <translation>所选 {count} 个对话的标签</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>New tag</source>
        <translation>新标签</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
</context>
<context>
    <name>TextBox</name>
    <message>
        <location filename="../../desktop/ui/tool_card.py" line="+98"/>
        <source>({count} more characters: Copy copies all)</source>
        <translation>（还有 {count} 个字符：“复制”会复制全部）</translation>
    </message>
</context>
<context>
    <name>ToolCallCard</name>
    <message>
        <location line="-33"/>
        <source>{ms} ms</source>
        <translation>{ms} 毫秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <location line="+110"/>
        <source>Arguments</source>
        <translation>参数</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The model wants to run this tool with the arguments above. Allow it?</source>
        <translation>模型想用上面的参数运行这个工具。允许吗？</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Allow Once</source>
        <translation>允许一次</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Always Allow This Tool</source>
        <translation>始终允许此工具</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Run this tool of this server without asking from now on (Tools settings list it; Revoke asks again)</source>
        <translation>从现在起运行此服务器的这个工具时不再询问（工具设置中会列出它；撤销后会重新询问）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Deny</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>{tool} · {server}</source>
        <translation>{tool} · {server}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Tool call: {tool}</source>
        <translation>工具调用：{tool}</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Waiting…</source>
        <translation>等待中…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting for your approval</source>
        <translation>等待你的批准</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+55"/>
        <source>Running…</source>
        <translation>运行中…</translation>
    </message>
    <message>
        <location line="-54"/>
        <source>Done in {time}</source>
        <translation>完成，用时 {time}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed after {time}</source>
        <translation>失败，用时 {time}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+52"/>
        <source>Denied</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <location line="-51"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No result</source>
        <translation>无结果</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>You denied this call. The model was told it was not run.</source>
        <translation>你拒绝了这次调用。已告知模型它没有运行。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stopped: the tool was cancelled and the reply ended.</source>
        <translation>已停止：工具被取消，回复已结束。</translation>
    </message>
</context>
<context>
    <name>ToolsDialog</name>
    <message>
        <location filename="../../desktop/ui/tools_dialog.py" line="+121"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Server on This Computer (Command)…</source>
        <translation>本机上的服务器（命令）…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remote Server (URL)…</source>
        <translation>远程服务器（URL）…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Add servers from an &quot;mcpServers&quot; config, pasted or from a file</source>
        <translation>从 &quot;mcpServers&quot; 配置添加服务器：粘贴或从文件读取</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Command on this computer (stdio)</source>
        <translation>本机上的命令（stdio）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remote server (Streamable HTTP)</source>
        <translation>远程服务器（Streamable HTTP）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A disabled server is never started and offered to no conversation</source>
        <translation>停用的服务器不会启动，也不会提供给任何对话</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>for example uvx, npx or a program&apos;s path</source>
        <translation>例如 uvx、npx 或程序的路径</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>for example mcp-server-time --local-timezone &quot;Asia/Tokyo&quot;</source>
        <translation>例如 mcp-server-time --local-timezone &quot;Asia/Tokyo&quot;</translation>
    </message>
    <message>
        <location line="+19"/>
        <location line="+312"/>
        <source>Restart</source>
        <translation>重新启动</translation>
    </message>
    <message>
        <location line="-286"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Arguments</source>
        <translation>参数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Environment</source>
        <translation>环境变量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Headers</source>
        <translation>请求头</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Tools it offers</source>
        <translation>提供的工具</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>MCP servers give the model tools: read files, fetch pages, query a database. Each call is shown to you, and runs only once you allow it.</source>
        <translation>MCP 服务器为模型提供工具：读取文件、获取网页、查询数据库。每次调用都会展示给你，只有你允许后才会运行。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Add a Server on This Computer (Command)…</source>
        <translation>添加本机上的服务器（命令）…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add a Remote Server (URL)…</source>
        <translation>添加远程服务器（URL）…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import a Config (mcpServers JSON)…</source>
        <translation>导入配置（mcpServers JSON）…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Tool</source>
        <translation>工具</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Revoke</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ask again before this tool runs</source>
        <translation>运行此工具前重新询问</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Servers</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Always Allowed</source>
        <translation>始终允许</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>New server</source>
        <translation>新服务器</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Remote server</source>
        <translation>远程服务器</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Type the command that starts the server, for example uvx.</source>
        <translation>请输入启动服务器的命令，例如 uvx。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The arguments have a quote that is not closed.</source>
        <translation>参数中有未闭合的引号。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The URL must start with http:// or https://.</source>
        <translation>URL 必须以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>A value has no name.</source>
        <translation>有一个值没有名称。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>“{name}” is there twice.</source>
        <translation>“{name}”出现了两次。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The value of “{name}” is in the system keyring and is not shown: type it to keep it in the settings instead.</source>
        <translation>“{name}”的值保存在系统钥匙串中，不会显示：如要改存到设置中，请输入它的值。</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>Disabled: never started, offered to no conversation</source>
        <translation>已停用：不会启动，也不提供给任何对话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not running: starts when a conversation first needs it</source>
        <translation>未运行：对话首次需要时启动</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enable the server to see its tools.</source>
        <translation>启用服务器后可查看其工具。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Asking the server…</source>
        <translation>正在询问服务器…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Its tools are listed once it is ready.</source>
        <translation>服务器就绪后会列出其工具。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Fix what the server says above (or its command), then Restart.</source>
        <translation>请按上面服务器给出的信息修正（或修正其命令），然后重新启动。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start the server to see its tools.</source>
        <translation>启动服务器后可查看其工具。</translation>
    </message>
    <message numerus="yes">
        <location line="+24"/>
        <source>%n tool(s).</source>
        <translation>
            <numerusform>%n 个工具。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+0"/>
        <source>It offers no tools.</source>
        <translation>它不提供任何工具。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>These tools run without asking. Revoke one to be asked again before it runs.</source>
        <translation>这些工具运行时不会询问。撤销某个工具后，它运行前会再次询问。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No tool runs without asking. “Always Allow This Tool” on a call adds it here.</source>
        <translation>所有工具运行前都会询问。在调用中选择“始终允许此工具”会把它添加到这里。</translation>
    </message>
    <message numerus="yes">
        <location line="+49"/>
        <source>Added %n server(s).</source>
        <translation>
            <numerusform>已添加 %n 个服务器。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ToolsPicker</name>
    <message>
        <location filename="../../desktop/ui/tools_picker.py" line="+44"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Tools: {count}</source>
        <translation>工具：{count}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Tools for this conversation</source>
        <translation>本对话的工具</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The model may ask to run the tools ticked here. Each call is shown in the reply and runs only once you allow it.</source>
        <translation>模型可以请求运行这里勾选的工具。每次调用都会显示在回复中，只有你允许后才会运行。</translation>
    </message>
    <message>
        <location line="+85"/>
        <source>Listing its tools…</source>
        <translation>正在列出其工具…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No MCP server is set up yet. Add one in File → Tools… first.</source>
        <translation>尚未设置任何 MCP 服务器。请先在“文件 → 工具…”中添加。</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>%n server(s) this conversation used are removed or disabled: they are left out.</source>
        <translation>
            <numerusform>本对话用过的 %n 个服务器已被删除或停用，已略去。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+34"/>
        <source>It could not start: {reason}</source>
        <translation>无法启动：{reason}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>It offers no tools.</source>
        <translation>它不提供任何工具。</translation>
    </message>
</context>
<context>
    <name>TrashDialog</name>
    <message>
        <location filename="../../desktop/ui/trash_dialog.py" line="+31"/>
        <source>Trash</source>
        <translation>回收站</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Messages</source>
        <translation>消息数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Deleted</source>
        <translation>删除时间</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The trash is empty.</source>
        <translation>回收站是空的。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Deleted conversations stay here until you delete them for good. Restoring one puts it back in the list as it was.</source>
        <translation>已删除的对话会一直保留在这里，直到你彻底删除。恢复后，对话会原样回到列表中。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delete for Good…</source>
        <translation>彻底删除…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Delete for good</source>
        <translation>彻底删除</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Delete %n conversation(s) for good?</source>
        <translation>
            <numerusform>彻底删除 %n 个对话？</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This cannot be undone.</source>
        <translation>此操作无法撤销。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../desktop/ui/tray.py" line="+36"/>
        <source>New Conversation</source>
        <translation>新建对话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quick Ask</source>
        <translation>快速提问</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show Confab</source>
        <translation>显示 Confab</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Quit Confab</source>
        <translation>退出 Confab</translation>
    </message>
</context>
<context>
    <name>UsageDialog</name>
    <message>
        <location filename="../../desktop/ui/usage_dialog.py" line="+121"/>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>By day</source>
        <translation>按天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>By month</source>
        <translation>按月</translation>
    </message>
    <message>
        <location line="-70"/>
        <source>Period</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Provider</source>
        <translation>提供商</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Replies</source>
        <translation>回复数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokens in</source>
        <translation>输入 token</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokens out</source>
        <translation>输出 token</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <location line="+78"/>
        <source>≈ marks figures counted by Confab because the server sent none. Costs use the price table; unknown models show none.</source>
        <translation>≈ 表示服务器没有提供、由 Confab 自行统计的数字。费用按价格表计算；未知模型不显示费用。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>The usage could not be read. Close this window and open it again; the log says more.</source>
        <translation>无法读取用量。请关闭此窗口后重新打开；日志中有详细信息。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>No usage yet: each reply&apos;s tokens and cost show here.</source>
        <translation>尚无用量：每条回复的令牌数和费用会显示在这里。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Counting usage…</source>
        <translation>正在统计用量…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Counting usage: {done} of {total} conversations…</source>
        <translation>正在统计用量：已统计 {done} / {total} 个对话…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The figures below are not complete yet.</source>
        <translation>下面的数字尚不完整。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>The usage could not be exported: {detail}</source>
        <translation>无法导出用量：{detail}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Saved {name}.</source>
        <translation>已保存 {name}。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export usage</source>
        <translation>导出用量</translation>
    </message>
</context>
<context>
    <name>UsageText</name>
    <message>
        <location filename="../../desktop/ui/usage_text.py" line="+26"/>
        <source>Next send: {tokens} tokens</source>
        <translation>下次发送：{tokens} 个 token</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{percent}% of the {window}k context</source>
        <translation>占 {window}k 上下文的 {percent}%</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{prompt} in · {completion} out</source>
        <translation>输入 {prompt} · 输出 {completion}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{tokens} tokens so far</source>
        <translation>累计 {tokens} 个 token</translation>
    </message>
</context>
<context>
    <name>_PairRow</name>
    <message>
        <location filename="../../desktop/ui/tools_dialog.py" line="-559"/>
        <source>NAME</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Header-Name</source>
        <translation>请求头名称</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+39"/>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <location line="-38"/>
        <source>Secret</source>
        <translation>机密</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Kept in the system keyring, never in a file, and never shown again</source>
        <translation>保存在系统钥匙串中，从不写入文件，也不会再次显示</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Stored in the keyring</source>
        <translation>已存入钥匙串</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stored in the system keyring — type to replace</source>
        <translation>已保存在系统钥匙串中，输入新值可替换</translation>
    </message>
</context>
<context>
    <name>_TargetRow</name>
    <message>
        <location filename="../../desktop/ui/compare_view.py" line="-597"/>
        <source>Provider</source>
        <translation>提供商</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+1"/>
        <source>Remove this model</source>
        <translation>移除这个模型</translation>
    </message>
</context>
</TS>
