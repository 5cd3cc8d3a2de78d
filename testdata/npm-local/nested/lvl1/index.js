module.exports = require("lvl2") + "+lvl1";
