module.exports = require("ms");
