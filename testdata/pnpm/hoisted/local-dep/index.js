module.exports = require("has-flag");
