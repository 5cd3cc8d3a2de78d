# lock2nix's fetchers: turns a source of a data file into a fixed-output
# fetch. Every ecosystem's data file describes its sources alike:
#   { url; hash; name ? … }  an archive, checked against its hash (name:
#                            the store name, when the URL's last segment
#                            is not one)
#   { url; rev; }            a git repository at a commit, on any branch
#                            or tag
#   { url; }                 an archive without a hash, fetched impurely
#                            (lock2nix --allow-unpinned)
{
  fetchurl,
  fetchGit,
  fetchurlUnpinned,
}:
s:
if s ? rev then
  fetchGit {
    inherit (s) url rev;
    allRefs = true;
  }
else if s ? hash then
  fetchurl ({ inherit (s) url hash; } // (if s ? name then { inherit (s) name; } else { }))
else
  fetchurlUnpinned s.url
