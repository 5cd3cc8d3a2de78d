module.exports = "lvl2";
