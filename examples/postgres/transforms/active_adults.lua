-- The reference job: keep active users, upper-case the name, add adult = (age >= 18).
local upper = string.upper

function run(user)
  if not user.active then return nil end
  user.name = upper(user.name)
  user.adult = user.age >= 18
  return user
end
