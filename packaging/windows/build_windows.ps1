# Windows: build dist\CoderAI Desktop\ (coderai.exe for the GUI, coderai-cli.exe for commands and
# --self-test), check it, and make the installer with Inno Setup.
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build_windows.ps1
#
# Needs: Python 3.11 x64 (the py launcher: py -3.11), Inno Setup 6.3 or later (ISCC.exe on PATH or in its
# default folder). Optional: $env:SIGNTOOL_CERT_SHA1 (a code-signing certificate's thumbprint in the
# certificate store) signs coderai.exe and coderai-cli.exe before they are packed.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

function Invoke-Step([string]$Program, [string[]]$Arguments) {
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Program $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

if (-not (Test-Path ".venv-build\Scripts\python.exe")) { Invoke-Step "py" @("-3.11", "-m", "venv", ".venv-build") }
$python = ".venv-build\Scripts\python.exe"
Invoke-Step $python @("-m", "pip", "install", "-q", "-e", ".", "pyinstaller>=6.10,<7")
Invoke-Step $python @("packaging\make_icons.py")
Invoke-Step $python @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN", "coderai.spec")

# The self-test (through coderai-cli.exe) and the GUI up to its login dialog, before anything is packed.
Invoke-Step $python @("packaging\check_bundle.py")

if ($env:SIGNTOOL_CERT_SHA1) {
    foreach ($exe in @("coderai.exe", "coderai-cli.exe")) {
        Invoke-Step "signtool.exe" @("sign", "/sha1", $env:SIGNTOOL_CERT_SHA1, "/fd", "SHA256",
            "/tr", "http://timestamp.digicert.com", "/td", "SHA256", "dist\CoderAI Desktop\$exe")
    }
}

$version = (Select-String -Path "coderai_desktop\__init__.py" -Pattern '^__version__ = "(.+)"').Matches[0].Groups[1].Value
$iscc = (Get-Command "ISCC.exe" -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe" }
Invoke-Step $iscc @("/DAppVersion=$version", "packaging\windows\coderai.iss")
Write-Host "Built: dist\CoderAI-Desktop-$version-windows-x64-setup.exe"
