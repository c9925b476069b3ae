"""`coderai --self-test`: checks that this installation (from source or the PyInstaller bundle) works end to
end, in a temporary data folder, without the network, the user's data or the user's keyring."""
