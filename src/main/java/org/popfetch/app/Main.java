package org.popfetch.app; public class Main { public static void main(String[] a){} }
