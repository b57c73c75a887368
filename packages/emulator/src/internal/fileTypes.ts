/**
 * File names and types of uploads, as the storage endpoints accept and report them.
 *
 * @since 0.1.0
 */

/**
 * The "secure filename" pass of the storage service: the base name is NFKD-normalised, non-ASCII,
 * control and path characters are removed, runs of whitespace become `_`, characters other than
 * letters, digits, `_`, `.` and `-` are dropped, leading/trailing `.` and `_` are trimmed; an empty
 * result becomes `file`. `测试 file.txt` → `file.txt`.
 *
 * @internal
 */
export const secureFilename = (name: string): string => {
  const cleaned = name
    .normalize("NFKD")
    .replace(/[^\x20-\x7e\s]/g, "") // non-ASCII and control characters (whitespace kept for now)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, "")
    .replace(/[/\\]/g, "")
    .trim()
    .split(/\s+/)
    .join("_")
    .replace(/[^A-Za-z0-9_.-]/g, "")
    .replace(/^[._]+|[._]+$/g, "")
  return cleaned === "" ? "file" : cleaned
}

const extension = (name: string): string => {
  const dot = name.lastIndexOf(".")
  return dot < 0 ? "" : name.slice(dot + 1).toLowerCase()
}

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  bmp: "image/bmp",
  webp: "image/webp",
  tif: "image/tiff",
  tiff: "image/tiff",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  heic: "image/heic"
}

const DOCUMENT_TYPES: Readonly<Record<string, string>> = {
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  htm: "text/html",
  json: "application/json",
  xml: "application/xml",
  pdf: "application/pdf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  zip: "application/zip"
}

/** `image` for image extensions, else `document`. @internal */
export const fileType = (name: string): "image" | "document" =>
  IMAGE_TYPES[extension(name)] !== undefined ? "image" : "document"

/** The MIME type by extension, else `application/octet-stream`. @internal */
export const contentType = (name: string): string => {
  const ext = extension(name)
  return IMAGE_TYPES[ext] ?? DOCUMENT_TYPES[ext] ?? "application/octet-stream"
}
