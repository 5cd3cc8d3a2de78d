module.exports = require("color-name");
