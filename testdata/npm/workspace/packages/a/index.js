module.exports = require("semver").valid("1.2.3");
