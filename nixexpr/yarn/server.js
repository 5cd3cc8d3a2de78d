// lock2nix's registry for berry builds: serves the fetched tarballs on
// 127.0.0.1 for the length of one build, so that yarn makes its cache
// from them as from any registry. Usage: node server.js MAP PORTFILE, where
// MAP is a JSON object from registry path ("@s/a/-/a-1.0.0.tgz") to file;
// the chosen port is written to PORTFILE once listening. Anything not in
// the map is a 404, named on standard error.
"use strict";
const fs = require("fs");
const http = require("http");

// lookup returns the file a request's URL names in files, or undefined.
// yarn may escape a scope's slash ("@s%2fa").
function lookup(files, url) {
  let p = url.split("?")[0].replace(/^\/+/, "");
  try {
    p = decodeURIComponent(p);
  } catch {
    return undefined;
  }
  return Object.prototype.hasOwnProperty.call(files, p) ? files[p] : undefined;
}

function serve(files, portFile) {
  const server = http.createServer((req, res) => {
    const file = lookup(files, req.url);
    if (file === undefined) {
      console.error(`lock2nix: the build's registry has no ${req.url} (not in the lockfile)`);
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  server.listen(0, "127.0.0.1", () => {
    fs.writeFileSync(portFile, String(server.address().port));
  });
  return server;
}

if (require.main === module) {
  const [mapFile, portFile] = process.argv.slice(2);
  serve(JSON.parse(fs.readFileSync(mapFile, "utf8")), portFile);
}

module.exports = { lookup, serve };
