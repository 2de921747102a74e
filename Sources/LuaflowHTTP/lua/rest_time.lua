-- ISO-8601 dates, timestamps and durations for source.http's incremental settings (lag, windows,
-- backfill ranges). Loaded by HTTPLuaModule for the http built-ins; returns a table of functions.
-- Timestamps are UTC; a value keeps its own form when moved (a date stays a date, a `Z` stays).
local T = {}

-- Days since 1970-01-01 of a civil date (proleptic Gregorian).
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return yoe + era * 400 + (m <= 2 and 1 or 0), m, d
end

-- Seconds since the epoch and the value's form, or nil for a value that is no ISO-8601 date or
-- UTC timestamp: "2024-01-01", "2024-01-01T10:00:00Z", "2024-01-01 10:00:00+00:00".
function T.parse(value)
  if type(value) ~= "string" then return nil end
  local y, mo, d = value:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
  if y then return days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400, { date = true } end
  local h, mi, s, rest
  y, mo, d, h, mi, s, rest = value:match("^(%d%d%d%d)-(%d%d)-(%d%d)[T ](%d%d):(%d%d):(%d%d)(.*)$")
  if y == nil then return nil end
  local t = days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s)
  return t, { sep = value:sub(11, 11), suffix = (rest:gsub("^%.%d+", "")) }
end

-- `t` (seconds since the epoch) written in `form` (from T.parse).
function T.format(t, form)
  local y, m, d = civil_from_days(t // 86400)
  if form.date then return ("%04d-%02d-%02d"):format(y, m, d) end
  local sec = t % 86400
  return ("%04d-%02d-%02d%s%02d:%02d:%02d"):format(y, m, d, form.sep, sec // 3600, sec % 3600 // 60, sec % 60) .. form.suffix
end

-- Seconds in an ISO-8601 duration of weeks, days, hours, minutes and seconds: "P1D" = 86400,
-- "PT6H" = 21600, "P1W", "P1DT12H". Nil for anything else (months and years vary in length).
function T.duration(text)
  if type(text) ~= "string" then return nil end
  local date, time = text:match("^P([%dWD]*)T?([%dHMS]*)$")
  if date == nil or (date == "" and time == "") then return nil end
  local total, units = 0, { W = 604800, D = 86400, H = 3600, M = 60, S = 1 }
  for _, pair in ipairs { { date, "WD" }, { time, "HMS" } } do
    local part, rest = pair[1], pair[2]
    local consumed = part:gsub("(%d+)([A-Z])", function(n, unit)
      if not rest:find(unit, 1, true) then return nil end
      total = total + tonumber(n) * units[unit]
      return ""
    end)
    if consumed ~= "" then return nil end
  end
  return total > 0 and total or nil
end

-- `value` moved by `seconds` (negative: back): numbers directly, ISO-8601 values by seconds.
function T.shift(value, seconds)
  if seconds == nil or seconds == 0 then return value end
  if type(value) == "number" then return value + seconds end
  local t, form = T.parse(value)
  if t == nil then
    error("needs a numeric cursor or an ISO-8601 date or timestamp, got '" .. tostring(value) .. "'", 0)
  end
  return T.format(t + seconds, form)
end

-- Now, as a UTC timestamp in the form of `like` (a date for a date).
function T.now(like)
  local _, form = T.parse(like)
  return T.format(os.time(), form or { sep = "T", suffix = "Z" })
end

return T
