using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Trellis.Readiness;

/// <summary>
/// The few SQLite calls of the observation readers' inner loop, bound directly to the same native library that
/// SQLitePCLRaw loads (<c>e_sqlite3</c>). SQLitePCLRaw's own bindings take a SafeHandle per call (a reference count
/// taken and released around every column read); with seven calls per row that costs more than reading the row. The
/// column accessors only read the current row's memory, so they also skip the GC transition; <c>step</c> may do I/O
/// and keeps it.
/// </summary>
internal static unsafe partial class SqliteNative
{
    private const string Library = "e_sqlite3";

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    public static partial int Step(IntPtr statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_blob"), SuppressGCTransition]
    private static partial IntPtr ColumnBlob(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes"), SuppressGCTransition]
    private static partial int ColumnBytes(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_int"), SuppressGCTransition]
    public static partial int ColumnInt(IntPtr statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type"), SuppressGCTransition]
    public static partial int ColumnType(IntPtr statement, int column);

    /// <summary>The column's bytes as SQLite holds them for the current row: valid until the next step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> Column(IntPtr statement, int column)
    {
        // sqlite3_column_blob first, then sqlite3_column_bytes: the order SQLite documents for a stable length.
        var pointer = ColumnBlob(statement, column);
        var length = ColumnBytes(statement, column);
        return pointer == IntPtr.Zero ? default : new ReadOnlySpan<byte>((void*)pointer, length);
    }
}
