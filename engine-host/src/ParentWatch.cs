using System.Diagnostics;

namespace Retrainer.EngineHost;

/// <summary>Ends this host when the Node process that started it dies, even by SIGKILL.</summary>
public static class ParentWatch
{
    public static void ExitWhenGone(int parentPid)
    {
        var timer = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(500);
                if (!Alive(parentPid)) Environment.Exit(3);
            }
        }) { IsBackground = true, Name = "parent-watch" };
        timer.Start();
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
