package trygg

// MaxPhotos is the most photos a report has.
const MaxPhotos = 3

// Photo is a photo of a report as its readers see it: the URLs of the image and of its
// thumbnail (both JPEG, re-encoded without EXIF by package photo) and its size. Hash,
// the SHA-256 of the JPEG, names it in the URLs and is its ETag.
type Photo struct {
	Hash         string `json:"-"`
	URL          string `json:"url"`
	ThumbnailURL string `json:"thumbnail_url"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
}

// PhotoURL is the path of a report's photo; its thumbnail's adds "/thumbnail".
func PhotoURL(reportID, hash string) string {
	return "/api/v1/reports/" + reportID + "/photos/" + hash
}

// NewPhoto is the photo hash of the report reportID, w×h pixels.
func NewPhoto(reportID, hash string, w, h int) Photo {
	u := PhotoURL(reportID, hash)
	return Photo{Hash: hash, URL: u, ThumbnailURL: u + "/thumbnail", Width: w, Height: h}
}
