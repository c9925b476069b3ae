; Inno Setup script for CoderAI Desktop (Inno Setup 6.3 or later: x64compatible, {autopf}).
; Built by packaging/windows/build_windows.ps1, which passes the version:
;   ISCC.exe /DAppVersion=0.1.0 packaging\windows\coderai.iss
; Input: the PyInstaller folder dist\CoderAI Desktop\ (coderai.exe for the GUI, coderai-cli.exe for commands).
; Output: dist\CoderAI-Desktop-<version>-windows-x64-setup.exe
;
; Installs for the current user by default (no administrator rights: %LOCALAPPDATA%\Programs\CoderAI Desktop);
; the first page offers "for all users" (C:\Program Files\CoderAI Desktop, needs administrator rights).
; The person's data is never in the install folder and is kept on uninstall (see README.md here).

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z coderai.iss
#endif
#define AppName "CoderAI Desktop"
#define Bundle "..\..\dist\CoderAI Desktop"

[Setup]
; The AppId identifies the app to Windows' uninstall list and to later upgrades: never change it.
AppId={{6D0E1C52-3B7A-4E59-9C4B-2F7D3C1A8E41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=CoderAI
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
; PyInstaller builds a 64-bit program: refuse 32-bit Windows, install in 64-bit mode (Arm64 Windows 11 runs it
; under emulation).
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=CoderAI-Desktop-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\build\icons\coderai.ico
UninstallDisplayIcon={app}\coderai.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running CoderAI Desktop before replacing its files (Restart Manager), and do not restart it.
CloseApplications=yes
RestartApplications=no
; To sign setup.exe and the uninstaller, define a sign tool named "signtool" in the Inno Setup IDE
; (Tools > Configure Sign Tools) or on the command line (/S"signtool=signtool.exe sign /fd SHA256 /tr
; http://timestamp.digicert.com /td SHA256 /a $f"), then uncomment:
; SignTool=signtool
; SignedUninstaller=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole runtime: files a new version no longer ships must not linger beside it.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\coderai.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\coderai.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\coderai.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; Nothing under %LOCALAPPDATA%\CoderAI\CoderAI Desktop (database, imported files, backups, logs) is removed
; on uninstall: it is the person's research data. The API keys stay in Windows Credential Manager too.
