module.exports = require("a");
