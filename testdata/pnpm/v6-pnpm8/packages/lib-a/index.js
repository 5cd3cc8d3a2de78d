module.exports = require("is-number");
