"""Media captures: the video behind a page, through yt-dlp on a guarded transport."""
