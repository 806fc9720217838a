// Demo seeding lands with lib/nba.
