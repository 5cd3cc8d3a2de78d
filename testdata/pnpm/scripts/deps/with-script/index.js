module.exports = require("fs").readFileSync(__dirname + "/built.txt", "utf8").trim();
