const path = require("path");

module.exports = {
  entry: "./dist/lib/index.js",
  output: {
    path: path.resolve(__dirname, "dist"),
    filename: "bundle.js",
    library: { name: "tsWebpackTools", type: "umd" },
    globalObject: "this",
  },
};
