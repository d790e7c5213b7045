@echo off
rem agent-auth-token for cmd and PowerShell on Windows: runs the Node client next to this file with
rem the runtime of the VS Code window that opened this terminal (AGENT_AUTH_NODE), else node on PATH.
setlocal
set "ELECTRON_RUN_AS_NODE=1"
if not defined AGENT_AUTH_NODE goto path_node
"%AGENT_AUTH_NODE%" "%~dp0agent-auth-token.js" %*
exit /b %ERRORLEVEL%
:path_node
node "%~dp0agent-auth-token.js" %*
exit /b %ERRORLEVEL%
