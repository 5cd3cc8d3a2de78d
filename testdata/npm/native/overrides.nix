# Overrides for this project's e2e build: segfault-handler compiles with
# node-gyp, which needs python3 (the C++ compiler and make come with stdenv).
{ pkgs }:
{
  segfault-handler = {
    nativeBuildInputs = [ pkgs.python3 ];
  };
}
