using System.Security.Cryptography;

namespace Trellis.Evidence;

/// <summary>
/// Ids for evidence created in the app: a prefix and a ULID (48-bit millisecond time + 80 random bits,
/// Crockford base32), so ids sort by creation time and never collide with the source system's ids.
/// </summary>
public static class EvidenceIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New(string prefix, DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[16];
        var ms = (ulong)now.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++) bytes[i] = (byte)(ms >> (8 * (5 - i)));
        RandomNumberGenerator.Fill(bytes[6..]);
        // 128 bits → 26 base32 characters, most significant first.
        var value = new UInt128(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[..8]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
        Span<char> chars = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
        return prefix + "-" + new string(chars);
    }
}
