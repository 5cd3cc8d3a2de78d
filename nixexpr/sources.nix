# lock2nix's fetchers: turns a source of a data file into a fixed-output
# fetch. Every ecosystem's data file describes its sources alike:
#   { url; hash; name ? … }  an archive, checked against its hash (name:
#                            the store name, when the URL's last segment
#                            is not one)
#   { url; hash; unpack; }   a git host's archive of a commit (GitHub's),
#                            fetched unpacked with fetchzip: its files
#                            without the one top folder, checked against
#                            the hash of those files (NAR, recursive), not
#                            of the archive's bytes, which the host may
#                            change. unpack is the kind of archive
#                            ("tar.gz"), fetchzip's extension: the URL
#                            ends in the commit, which names no kind.
#   { url; rev; }            a git repository at a commit, on any branch
#                            or tag
#   { url; }                 an archive without a hash, fetched impurely
#                            (lock2nix --allow-unpinned)
{
  fetchurl,
  fetchGit,
  fetchurlUnpinned,
  # nixpkgs' fetchzip; only a file with a git host's archive needs it.
  fetchzip ? null,
}:
s:
if s ? rev then
  fetchGit {
    inherit (s) url rev;
    allRefs = true;
  }
else if s ? unpack then
  if fetchzip == null then
    throw "lock2nix: ${s.url} is fetched with nixpkgs' fetchzip: pass fetchzip (pkgs.callPackage does)"
  else
    fetchzip {
      inherit (s) url hash;
      extension = s.unpack;
    }
else if s ? hash then
  fetchurl ({ inherit (s) url hash; } // (if s ? name then { inherit (s) name; } else { }))
else
  fetchurlUnpinned s.url
