; Inno Setup script for Confab: a per-user installer (no administrator rights), with a Start
; menu entry, an optional desktop shortcut and an uninstaller.
;
; Build the bundle first (pyinstaller --noconfirm packaging\confab.spec writes dist\confab\),
; then, from the repository root:
;
;   iscc /DAppVersion=0.1.0 packaging\windows\confab.iss
;
; which writes dist\confab-0.1.0-windows-x64-setup.exe. The release workflow passes the version
; from desktop/__init__.py.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z packaging\windows\confab.iss
#endif
#define AppName "Confab"
#define AppExe "confab.exe"
; The repository root (SourcePath is this script's folder, with a trailing backslash).
#define Root SourcePath + "..\.."

[Setup]
; Never change AppId: Windows finds the installed Confab (to upgrade or uninstall it) by it.
AppId={{4E0C7B4A-2C55-4E0B-9B8F-6A4C1D2E9F31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The Confab developers
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
; Per user: installs to %LOCALAPPDATA%\Programs\Confab, asks for no administrator rights.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist
OutputBaseFilename=confab-{#AppVersion}-windows-x64-setup
SetupIconFile={#Root}\resources\icons\confab.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
; Confab holds a lock in its data folder while it runs; close it before files are replaced.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\confab\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the whole bundle: no module of an older version may linger.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; The user's conversations and settings (%LOCALAPPDATA%\Confab) and keys (Credential Manager)
; stay when Confab is uninstalled, as on Linux and macOS.
