// node e2e/npmcache.js CACHE URL FILE — put FILE in npm's cache (CACHE,
// npm's "cache" setting) as the answer to a GET of URL, as npm's fetcher
// (make-fetch-happen) stores one, so that npm --prefer-offline reads it
// from there instead of the network. The e2e tests use it for GitHub's
// archive of a commit, which npm downloads for a GitHub dependency and
// which the tests cannot reach. It uses the cacache of the npm on PATH.
"use strict";
const cp = require("child_process");
const fs = require("fs");
const path = require("path");

const [cache, url, file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node npmcache.js CACHE URL FILE");
  process.exit(2);
}
// npm-cli.js is in npm's bin folder; its modules beside it.
const cli = fs.realpathSync(cp.execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim());
const cacache = require(path.join(path.dirname(cli), "..", "node_modules", "cacache"));
cacache
  .put(path.join(cache, "_cacache"), "make-fetch-happen:request-cache:" + url, fs.readFileSync(file), {
    // What make-fetch-happen keeps of a request and its answer: a GET with
    // no headers it varies on, answered 200.
    metadata: { url, reqHeaders: {}, resHeaders: {}, options: { compress: true }, time: Date.now() },
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
