using SkiaSharp;

namespace ConvSharp.Imaging;

/// <summary>Turns a decoded (C, H, W) image upright by its EXIF orientation, as photo viewers do.</summary>
internal static class Orientation
{
    // Stored pixels S, displayed pixels D; each case writes D in terms of S.
    public static Tensor Upright(Tensor image, SKEncodedOrigin origin) => origin switch
    {
        SKEncodedOrigin.TopRight => image.Flip(2).Contiguous(),                            // mirrored left-right
        SKEncodedOrigin.BottomRight => image.Flip(1, 2).Contiguous(),                      // rotated 180°
        SKEncodedOrigin.BottomLeft => image.Flip(1).Contiguous(),                          // mirrored top-bottom
        SKEncodedOrigin.LeftTop => image.Transpose(1, 2).Contiguous(),                     // D[y, x] = S[x, y]
        SKEncodedOrigin.RightTop => image.Transpose(1, 2).Flip(2).Contiguous(),            // rotate 90° clockwise
        SKEncodedOrigin.RightBottom => image.Transpose(1, 2).Flip(1, 2).Contiguous(),      // D[y, x] = S[H−1−x, W−1−y]
        SKEncodedOrigin.LeftBottom => image.Transpose(1, 2).Flip(1).Contiguous(),          // rotate 90° counter-clockwise
        _ => image,
    };
}
