; Inno Setup 6 script of the Windows installer: АРМ оператора — Электронная регистратура.
;
; Build the bundle first (on Windows, see installer\README.md), then:
;   iscc installer\windows\workstation.iss
;   iscc /DAppVersion=0.2.0 installer\windows\workstation.iss     (another version number)
; The installer is written to build\installer\windows\.
;
; It installs the PyInstaller onedir bundle (build\installer\dist\workstation\) into
; Program Files (or, when the user chooses "only for me", into the user's programs), adds a
; Start-menu entry and an optional desktop icon, registers an uninstaller, and copies a sample
; workstation.toml into the user's config folder when there is none yet.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "АРМ оператора — Электронная регистратура"
#define BundleDir "..\..\build\installer\dist\workstation"

[Setup]
AppId={{90602799-EADF-42D8-8804-28992E7D4A7D}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=БУ ХМАО-Югры «МИАЦ»
DefaultDirName={autopf}\Registry Workstation
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\build\installer\windows
OutputBaseFilename=registry-workstation-{#AppVersion}-setup
SetupIconFile=..\icons\registry-workstation.ico
UninstallDisplayIcon={app}\workstation.exe
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The sample config goes to the profile of the user running Setup, on purpose.
UsedUserAreasWarning=no

[Languages]
Name: "russian"; MessagesFile: "compiler:Languages\Russian.isl"

[Tasks]
Name: "desktopicon"; Description: "Значок на рабочем столе"; GroupDescription: "Дополнительно:"; Flags: unchecked

[Dirs]
Name: "{localappdata}\dzhmao\registry-workstation"; Flags: uninsneveruninstall

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\workstation.toml.example"; DestDir: "{app}"; Flags: ignoreversion
; The sample becomes the user's config only when there is none: an upgrade keeps the site's.
; Where the workstation reads it: platformdirs' user_config_dir("registry-workstation", "dzhmao").
Source: "..\workstation.toml.example"; DestDir: "{localappdata}\dzhmao\registry-workstation"; DestName: "workstation.toml"; Flags: onlyifdoesntexist uninsneveruninstall

[Icons]
; workstation-gui.exe is the same program without a console window.
Name: "{group}\АРМ оператора — Электронная регистратура"; Filename: "{app}\workstation-gui.exe"; WorkingDir: "{app}"; IconFilename: "{app}\workstation.exe"
Name: "{group}\Демонстрационная база"; Filename: "{app}\workstation-gui.exe"; Parameters: "--demo"; WorkingDir: "{app}"; IconFilename: "{app}\workstation.exe"
Name: "{group}\Проверить настройки"; Filename: "{cmd}"; Parameters: "/k """"{app}\workstation.exe"" config check"""; WorkingDir: "{app}"
Name: "{group}\Удалить {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\АРМ оператора — Электронная регистратура"; Filename: "{app}\workstation-gui.exe"; WorkingDir: "{app}"; IconFilename: "{app}\workstation.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\workstation-gui.exe"; Description: "Запустить программу"; Flags: nowait postinstall skipifsilent unchecked
