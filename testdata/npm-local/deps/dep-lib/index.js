module.exports = require("is-number")(5);
